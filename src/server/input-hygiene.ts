import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  GraphQLID,
  OperationTypeNode,
  defaultFieldResolver,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import type { InputLimits } from "../config.js";
import { isUuid } from "../db/ids.js";
import { ErrorCode, badInput, type ErrorDetail } from "../errors.js";

/**
 * Input hygiene at the edge: every argument of every field, over HTTP and
 * graphql-ws alike, is checked here before any resolver (and so the database)
 * sees it:
 * - no string (argument, input field, JSON value or JSON key) may hold a NUL
 *   character or a lone UTF-16 surrogate: PostgreSQL cannot store either;
 * - JSON arguments are bounded in nesting depth and size (InputLimits), walked
 *   without recursion so that a 10 000-level document is refused, not a crash;
 * - values of type ID that are UUIDs are lower-cased, so an id is found in
 *   whatever case the client writes it (PostgreSQL's uuid type does the same).
 * A failure is BAD_USER_INPUT with details `{ path, message }`, and nothing runs.
 */

/** A NUL, or a surrogate that is not half of a pair. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(value: string): string | undefined {
  const m = UNSTORABLE.exec(value);
  if (!m) return undefined;
  return m[0] === "\0"
    ? "must not contain a NUL character (\\u0000)"
    : "must not contain a lone UTF-16 surrogate (malformed Unicode)";
}

/** A node of the JSON walk: enough to rebuild its path only when it is reported. */
interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

const MAX_PATH_KEYS = 12;

function framePath(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f; f = f.parent) keys.push(f.key);
  keys.reverse();
  // A path 100 levels deep says no more than its start.
  if (keys.length > MAX_PATH_KEYS) keys.splice(MAX_PATH_KEYS, keys.length, "…");
  return keys
    .map((k, i) =>
      typeof k === "number"
        ? `[${k}]`
        : i === 0
          ? k
          : /^[A-Za-z_$][\w$]*$/.test(k)
            ? `.${k}`
            : `[${JSON.stringify(k)}]`,
    )
    .join("");
}

/**
 * Walks a JSON value without recursion: strings and keys storable, nesting at
 * most `maxDepth` (a scalar at top level is depth 0), its JSON text at most
 * `maxBytes` (counted as it goes, so an oversized value is refused early).
 */
function checkJson(value: unknown, path: string, limits: InputLimits): ErrorDetail | undefined {
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: path }];
  let bytes = 0;
  const tooLarge = (): ErrorDetail => ({
    path,
    message: `is larger than ${limits.maxJsonBytes} bytes of JSON`,
  });
  while (stack.length) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === "string") {
      bytes += Buffer.byteLength(v) + 2;
      const problem = stringProblem(v);
      if (problem) return { path: framePath(frame), message: problem };
    } else if (v !== null && typeof v === "object") {
      if (frame.depth >= limits.maxJsonDepth)
        return {
          path: framePath(frame),
          message: `is nested more than ${limits.maxJsonDepth} levels deep`,
        };
      const depth = frame.depth + 1;
      if (Array.isArray(v)) {
        bytes += 2 + v.length;
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: frame, key: i });
      } else {
        const keys = Object.keys(v);
        bytes += 2 + keys.length;
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i];
          bytes += Buffer.byteLength(key) + 3;
          const child: Frame = { value: (v as Record<string, unknown>)[key], depth, parent: frame, key };
          const problem = stringProblem(key);
          if (problem) return { path: framePath(child), message: `has a key that ${problem}` };
          stack.push(child);
        }
      }
    } else {
      bytes += typeof v === "number" ? String(v).length : 5;
    }
    if (bytes > limits.maxJsonBytes) return tooLarge();
  }
  return undefined;
}

/**
 * Checks one value of an input type and returns it with its IDs normalised
 * (a new object only where something changed). Problems are pushed to `details`.
 */
function cleanValue(
  type: GraphQLInputType,
  value: unknown,
  path: string,
  limits: InputLimits,
  details: ErrorDetail[],
): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return cleanValue(nullable.ofType, value, path, limits, details);
    const items = value as unknown[];
    let out: unknown[] | undefined;
    items.forEach((item, i) => {
      const cleaned = cleanValue(nullable.ofType, item, `${path}[${i}]`, limits, details);
      if (cleaned !== item) (out ??= [...items])[i] = cleaned;
    });
    return out ?? value;
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (!field) continue;
      const cleaned = cleanValue(field.type, item, `${path}.${key}`, limits, details);
      if (cleaned !== item)
        (out ??= Object.assign(
          Object.create(Object.getPrototypeOf(value) as object) as object,
          value,
        ) as Record<string, unknown>)[key] = cleaned;
    }
    return out ?? value;
  }
  if (typeof value === "string") {
    const problem = stringProblem(value);
    if (problem) {
      details.push({ path, message: problem });
      return value;
    }
    return nullable === GraphQLID && isUuid(value) ? value.toLowerCase() : value;
  }
  if (getNamedType(type).name === "JSON") {
    const problem = checkJson(value, path, limits);
    if (problem) details.push(problem);
  }
  return value;
}

/** The field's arguments, checked and normalised; throws BAD_USER_INPUT listing every problem. */
export function cleanArgs(
  defs: readonly GraphQLArgument[],
  args: Record<string, unknown>,
  limits: InputLimits,
): Record<string, unknown> {
  const details: ErrorDetail[] = [];
  let out: Record<string, unknown> | undefined;
  for (const def of defs) {
    if (!(def.name in args)) continue;
    const item = args[def.name];
    const cleaned = cleanValue(def.type, item, def.name, limits, details);
    if (cleaned !== item) (out ??= { ...args })[def.name] = cleaned;
  }
  if (details.length) throw badInput("Input rejected: it cannot be stored", details);
  return out ?? args;
}

const WRAPPED = Symbol("scenariolab.inputHygiene");
type Resolver = GraphQLFieldResolver<unknown, unknown> & { [WRAPPED]?: true };

/** The limits of the schema's hygiene; the schema object may be shared by several servers in one process. */
const limitsOf = new WeakMap<GraphQLSchema, InputLimits>();

function hygienic(
  resolve: GraphQLFieldResolver<unknown, unknown>,
  defs: readonly GraphQLArgument[],
): Resolver {
  const wrapped: Resolver = (source, args: Record<string, unknown>, context, info) => {
    const limits = limitsOf.get(info.schema);
    return resolve(source, limits ? cleanArgs(defs, args, limits) : args, context, info);
  };
  // Keep the marks of wrappers below (time budget): a second server in this process wraps nothing twice.
  Object.assign(wrapped, resolve);
  wrapped[WRAPPED] = true;
  return wrapped;
}

/**
 * Puts the checks in front of every field that takes arguments (its `resolve`,
 * and its `subscribe` for subscriptions). Fields without arguments are left
 * alone: they cost nothing more. Idempotent.
 */
export function applyInputHygiene(schema: GraphQLSchema, limits: InputLimits): void {
  limitsOf.set(schema, limits);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const resolve = field.resolve as Resolver | undefined;
      if (!resolve?.[WRAPPED]) field.resolve = hygienic(resolve ?? defaultFieldResolver, field.args);
      const subscribe = field.subscribe as Resolver | undefined;
      if (subscribe && !subscribe[WRAPPED]) field.subscribe = hygienic(subscribe, field.args);
    }
  }
}

/** Apollo plugin: a subscription sent over HTTP is the caller's mistake, answered 400, not a failure. */
export function httpSubscriptionPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async (rc) => {
        if (rc.operation?.operation !== OperationTypeNode.SUBSCRIPTION) return;
        throw new GraphQLError(
          "Subscriptions are served over WebSocket (graphql-ws protocol) at /graphql, not over HTTP",
          { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } },
        );
      },
    }),
  };
}
