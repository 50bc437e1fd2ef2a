/**
 * A client's text for a `contains` filter, with PostgreSQL's LIKE wildcards
 * (`%`, `_`) and the escape character (`\`) escaped: it matches literally.
 */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, "\\$&");
