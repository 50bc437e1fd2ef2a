import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { ValidationError } from "class-validator";
import type { Logger } from "./logger.js";

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
 * The one place where errors become what clients see: domain errors keep their
 * code and details, request validation becomes BAD_USER_INPUT, everything else is
 * masked as INTERNAL_SERVER_ERROR and logged in full.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof AppError) {
    return {
      ...base,
      message: original.message,
      extensions: { code: original.code, ...(original.details ? { details: original.details } : {}) },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === "string" && code in ErrorCode) return formatted;
  if (
    (typeof code === "string" && REQUEST_CODES.has(code)) ||
    (error instanceof GraphQLError && !error.originalError && !error.path)
  ) {
    // Parse, validation and variable-coercion failures are the caller's input.
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
  }
  logger.error({ err: coerceError(original) }, "unexpected error");
  return { ...base, message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
}
