import { GraphQLError, GraphQLScalarType } from "graphql";
import { DateTimeResolver } from "graphql-scalars";

export { JSONResolver as JSONScalar } from "graphql-scalars";

/** Dates a client may send: years 1 to 9999, which every layer down to PostgreSQL stores as given. */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}

const base = DateTimeResolver.toConfig();

/** A refused DateTime: bad input, which graphql-js reports naming the variable; the status is for Apollo. */
const refused = (message: string) =>
  new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

function storable(parse: () => unknown): Date {
  let date: Date;
  try {
    date = parse() as Date;
  } catch (err) {
    // graphql-scalars throws TypeErrors, which Apollo would answer as an internal error.
    throw refused(err instanceof Error ? err.message : "DateTime is not valid");
  }
  if (!isStorableDate(date)) throw refused("DateTime must be between the years 0001 and 9999");
  return date;
}

/** graphql-scalars' DateTime (ISO-8601), refusing malformed values and years outside 0001 to 9999 as bad input. */
export const DateTimeScalar = new GraphQLScalarType({
  ...base,
  parseValue: (value) => storable(() => base.parseValue(value)),
  parseLiteral: (ast, variables) => storable(() => base.parseLiteral(ast, variables)),
});
