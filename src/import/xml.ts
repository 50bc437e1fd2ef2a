/**
 * A small, strict XML reader for draw.io documents: elements, attributes,
 * text, comments, CDATA and the XML declaration. It exists because no XML
 * library is among the project's dependencies and a draw.io file needs only
 * this well-defined subset (mxfile > diagram > mxGraphModel > root > cells,
 * whose data sits in attributes). A document type declaration (and with it
 * any custom entity) is refused, so entity expansion attacks cannot happen;
 * only the five predefined entities and numeric character references are
 * decoded. Errors name the line and column.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  override name = "XmlSyntaxError";
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Elements nested deeper than this are refused (a draw.io document needs about eight). */
export const MAX_XML_DEPTH = 64;

/** Decodes the predefined entities and character references of attribute values and text. */
function decodeEntities(raw: string, where: () => string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
    if (!match.endsWith(";")) throw new XmlSyntaxError(`unterminated entity reference "${match}" ${where()}`);
    if (Object.hasOwn(PREDEFINED, body)) return PREDEFINED[body];
    const numeric = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(body);
    if (numeric) {
      const code = numeric[1].startsWith("x") ? parseInt(numeric[1].slice(1), 16) : parseInt(numeric[1], 10);
      if (code > 0x10ffff || code === 0)
        throw new XmlSyntaxError(`invalid character reference "${match}" ${where()}`);
      return String.fromCodePoint(code);
    }
    throw new XmlSyntaxError(
      `unknown entity "${match}" ${where()} (only the predefined XML entities are allowed)`,
    );
  });
}

/**
 * Parses one XML document into its root element. Whitespace-only text
 * between elements is dropped; other text is kept, decoded.
 */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const where = (at = pos) => {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const col = at - before.lastIndexOf("\n");
    return `at line ${line}, column ${col}`;
  };
  const fail = (message: string, at = pos): never => {
    throw new XmlSyntaxError(`${message} ${where(at)}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const readName = (): string => {
    const start = pos;
    if (!NAME_START.test(text[pos] ?? "")) fail("expected a name");
    pos++;
    while (pos < text.length && NAME_CHAR.test(text[pos])) pos++;
    return text.slice(start, pos);
  };
  /** Skips a comment, processing instruction or declaration; refuses a DOCTYPE. True when one was skipped. */
  const skipMisc = (): boolean => {
    if (text.startsWith("<!--", pos)) {
      const end = text.indexOf("-->", pos + 4);
      if (end < 0) fail("unterminated comment");
      pos = end + 3;
      return true;
    }
    if (text.startsWith("<?", pos)) {
      const end = text.indexOf("?>", pos + 2);
      if (end < 0) fail("unterminated processing instruction");
      pos = end + 2;
      return true;
    }
    if (text.startsWith("<!DOCTYPE", pos) || text.startsWith("<!ENTITY", pos))
      fail("a document type declaration is not allowed in a draw.io document");
    return false;
  };

  const readElement = (depth: number): XmlElement => {
    const start = pos;
    pos++; // "<"
    const name = readName();
    if (depth > MAX_XML_DEPTH) fail(`elements are nested more than ${MAX_XML_DEPTH} deep`, start);
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = /\s/.test(text[pos] ?? "");
      skipSpace();
      if (text.startsWith("/>", pos)) {
        pos += 2;
        return { name, attributes, children: [] };
      }
      if (text[pos] === ">") {
        pos++;
        break;
      }
      if (pos >= text.length) fail(`unterminated start tag <${name}>`, start);
      if (!hadSpace) fail("expected whitespace between attributes");
      const attrAt = pos;
      const attr = readName();
      skipSpace();
      if (text[pos] !== "=") fail(`expected "=" after attribute ${attr}`);
      pos++;
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute ${attr}`);
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) fail(`unterminated value of attribute ${attr}`, attrAt);
      const raw = text.slice(pos + 1, end);
      if (raw.includes("<")) fail(`"<" in the value of attribute ${attr}`, attrAt);
      if (Object.hasOwn(attributes, attr)) fail(`duplicate attribute ${attr}`, attrAt);
      attributes[attr] = decodeEntities(raw, () => where(attrAt));
      pos = end + 1;
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (pos >= text.length) fail(`<${name}> is not closed`, start);
      if (text.startsWith("</", pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}> (opened ${where(start)})`);
        skipSpace();
        if (text[pos] !== ">") fail(`expected ">" to end </${closing}>`);
        pos++;
        return { name, attributes, children };
      }
      if (text.startsWith("<![CDATA[", pos)) {
        const end = text.indexOf("]]>", pos);
        if (end < 0) fail("unterminated CDATA section");
        children.push(text.slice(pos + 9, end));
        pos = end + 3;
        continue;
      }
      if (text[pos] === "<") {
        if (skipMisc()) continue;
        children.push(readElement(depth + 1));
        continue;
      }
      const next = text.indexOf("<", pos);
      const end = next < 0 ? text.length : next;
      const at = pos;
      const raw = text.slice(pos, end);
      pos = end;
      if (raw.trim()) children.push(decodeEntities(raw, () => where(at)));
    }
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1; // byte-order mark
  for (;;) {
    skipSpace();
    if (pos >= text.length) fail("no root element");
    if (text[pos] !== "<") fail("text before the root element");
    if (!skipMisc()) break;
  }
  const root = readElement(1);
  for (;;) {
    skipSpace();
    if (pos >= text.length) return root;
    if (text[pos] !== "<" || !skipMisc()) fail("content after the root element");
  }
}

/** The element children of an element. */
export const childElements = (el: XmlElement): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== "string");

/** The text content of an element (its direct text children, concatenated). */
export const textOf = (el: XmlElement): string => el.children.filter((c) => typeof c === "string").join("");
