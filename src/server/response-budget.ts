import type { ApolloServerPlugin } from "@apollo/server";
import { OperationTypeNode, type ExecutionResult, type GraphQLFormattedError } from "graphql";
import type { ResponseLimits } from "../config.js";
import { ErrorCode } from "../errors.js";
import type { OperationGuard, Transport } from "./limits.js";

/**
 * The response budget: an answer whose JSON text would exceed
 * `ResponseLimits.maxBytes` is replaced by one BAD_USER_INPUT error
 * (`extensions.limit: "response"`) before it is serialised, so a query that
 * repeats a large field (aliases of `definition`, a page of effective models)
 * costs neither a huge string nor a 500 ("Invalid string length").
 */

/**
 * The size of `value` as JSON text, about (strings counted in UTF-8 without
 * escapes), or some number above `budget` as soon as it is known to exceed it.
 * Objects measured completely are remembered: the same definition object
 * returned under 200 aliases is measured once.
 */
function jsonSize(value: unknown, budget: number, memo: WeakMap<object, number>): number {
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case "string":
      return value.length > budget ? value.length : Buffer.byteLength(value) + 2;
    case "number":
    case "boolean":
    case "bigint":
      return String(value).length;
    case "object":
      break;
    default:
      return 0;
  }
  const known = memo.get(value);
  if (known !== undefined) return known;
  if (value instanceof Date) return 26;
  const asJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof asJson === "function") return jsonSize((asJson as () => unknown).call(value), budget, memo);
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += jsonSize(item, budget - size, memo) + 1;
      if (size > budget) return size;
    }
  } else {
    for (const [key, item] of Object.entries(value)) {
      size += key.length + 3 + jsonSize(item, budget - size, memo) + 1;
      if (size > budget) return size;
    }
  }
  memo.set(value, size);
  return size;
}

/** True when the result's JSON text would be larger than `maxBytes`. */
export function exceedsBudget(result: unknown, maxBytes: number): boolean {
  return jsonSize(result, maxBytes, new WeakMap()) > maxBytes;
}

function budgetError(limits: ResponseLimits, mutation: boolean): GraphQLFormattedError {
  return {
    message:
      `The response is larger than the limit of ${limits.maxBytes} bytes; ask for fewer items (first) ` +
      "or fewer large fields (definition, effectiveModel, results)" +
      (mutation ? ". The mutation itself was applied; read its outcome with a smaller query." : "."),
    extensions: { code: ErrorCode.BAD_USER_INPUT, limit: "response" },
  };
}

/** Apollo plugin: checks the answer of every HTTP operation before it is serialised. */
export function responseBudgetPlugin(limits: ResponseLimits, guard: OperationGuard): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      willSendResponse: async (rc) => {
        const body = rc.response.body;
        if (body.kind !== "single" || !exceedsBudget(body.singleResult, limits.maxBytes)) return;
        guard.refused("response", "http");
        body.singleResult = {
          errors: [budgetError(limits, rc.operation?.operation === OperationTypeNode.MUTATION)],
        };
        rc.response.http.status = 400;
      },
    }),
  };
}

/** The same for one result sent over graphql-ws: the result, or the error that replaces it. */
export function budgetedWsResult(
  result: ExecutionResult,
  limits: ResponseLimits,
  guard: OperationGuard,
  mutation: boolean,
  transport: Transport = "ws",
): ExecutionResult | undefined {
  if (!exceedsBudget(result, limits.maxBytes)) return undefined;
  guard.refused("response", transport);
  const error = budgetError(limits, mutation);
  return { errors: [error] } as unknown as ExecutionResult;
}
