import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { ValidationError } from "class-validator";
import type { Logger } from "./logger.js";
import { PROJECT_ROOT } from "./paths.js";

/** The error codes a client can cause (CONTRACT.md, "Authentication and errors"). */
export enum ErrorCode {
  UNAUTHENTICATED = "UNAUTHENTICATED",
  FORBIDDEN = "FORBIDDEN",
  NOT_FOUND = "NOT_FOUND",
  BAD_USER_INPUT = "BAD_USER_INPUT",
  CONFLICT = "CONFLICT",
  INVALID_STATE = "INVALID_STATE",
  RATE_LIMITED = "RATE_LIMITED",
}

/**
 * The HTTP status of each code, for the REST routes and for requests refused
 * before GraphQL runs (a bad key). A Record, so a new code fails tsc until it
 * has a status here.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INVALID_STATE]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
};

/** The code masked errors carry instead of anything internal. */
export const INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR";

/**
 * The request an error belongs to: its id (echoed in `x-request-id`) and its
 * logger, which carries requestId, and tenantId once the caller is known.
 */
export interface RequestScope {
  requestId?: string;
  logger: Logger;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A failure the caller caused; its message and details are safe to show. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A budget of the caller ran out (RATE_LIMITED): it may try again in `retryAfter` seconds. */
export class RateLimitedError extends AppError {
  override name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super(ErrorCode.RATE_LIMITED, message);
  }
}

/** `retryAfter` for the client, when the error has one. */
const retryAfterOf = (error: AppError) =>
  error instanceof RateLimitedError ? { retryAfter: error.retryAfter } : {};

export const notFound = (what: string, id: string) =>
  new AppError(ErrorCode.NOT_FOUND, `${what} ${id} not found`);
export const badInput = (message: string, details?: ErrorDetail[]) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, details);
export const invalidState = (message: string) => new AppError(ErrorCode.INVALID_STATE, message);
export const conflict = (message: string, details?: ErrorDetail[]) =>
  new AppError(ErrorCode.CONFLICT, message, details);

/** Coerces anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : `Non-error thrown: ${safeStringify(thrown)}`, {
    cause: thrown,
  });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** class-validator errors as `{ path, message }` details, paths under `prefix`. */
export function flattenValidation(errors: ValidationError[], prefix = ""): ErrorDetail[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flattenValidation(e.children ?? [], path)];
  });
}

/** Codes graphql-js / Apollo attach to requests that never reached a resolver. */
const REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
]);

/**
 * Logs an error the caller did not cause, in full, with the request's logger, and
 * returns the extensions of what the client sees instead: the code and the request
 * id, so support can find the log line from the client's report.
 */
function maskUnexpected(
  error: unknown,
  scope: RequestScope,
): { code: typeof INTERNAL_SERVER_ERROR; requestId?: string } {
  scope.logger.error({ err: coerceError(error) }, "unexpected error");
  return { code: INTERNAL_SERVER_ERROR, ...(scope.requestId ? { requestId: scope.requestId } : {}) };
}

/**
 * The one place where errors become what GraphQL clients see: domain errors keep
 * their code and details, request validation becomes BAD_USER_INPUT, everything
 * else is masked as INTERNAL_SERVER_ERROR with the request id, and logged in full
 * with the request's logger.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  scope: RequestScope,
): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof AppError) {
    return {
      ...base,
      message: original.message,
      extensions: {
        code: original.code,
        ...(original.details ? { details: original.details } : {}),
        ...retryAfterOf(original),
      },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === "string" && code in ErrorCode) {
    // `http` is Apollo's instruction for the status, not for the client (graphql-ws would send it).
    if (!formatted.extensions || !("http" in formatted.extensions)) return formatted;
    const { http: _http, ...extensions } = formatted.extensions;
    return { ...formatted, extensions };
  }
  if (
    (typeof code === "string" && REQUEST_CODES.has(code)) ||
    (error instanceof GraphQLError && !error.originalError && !error.path)
  ) {
    // Parse, validation and variable-coercion failures are the caller's input.
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
  }
  return { ...base, message: "Internal server error", extensions: maskUnexpected(original, scope) };
}

/** The JSON body of a REST error response. */
export interface HttpErrorBody {
  error: string;
  code: ErrorCode | typeof INTERNAL_SERVER_ERROR;
  details?: ErrorDetail[];
  /** Seconds until a RATE_LIMITED caller may try again. */
  retryAfter?: number;
  requestId?: string;
}

/**
 * The REST counterpart of formatError: an AppError answers with its code's status
 * from HTTP_STATUS and its message; anything else is logged and masked as a 500
 * that carries the request id.
 */
export function httpError(error: unknown, scope: RequestScope): { status: number; body: HttpErrorBody } {
  if (error instanceof AppError)
    return {
      status: HTTP_STATUS[error.code],
      body: {
        error: error.message,
        code: error.code,
        ...(error.details ? { details: error.details } : {}),
        ...retryAfterOf(error),
      },
    };
  const { code, requestId } = maskUnexpected(error, scope);
  return {
    status: 500,
    body: { error: "Internal server error", code, ...(requestId ? { requestId } : {}) },
  };
}

/**
 * A stack trace with the project's paths relative to its root (`src/…`,
 * `node_modules/…`), as file URLs or plain paths, so that a stored trace
 * shows no file system of the server.
 */
export function projectRelativeStack(stack: string, root: string = PROJECT_ROOT): string {
  const base = root.endsWith("/") ? root : `${root}/`;
  return stack.replaceAll(`file://${base}`, "").replaceAll(base, "");
}
