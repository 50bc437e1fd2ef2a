const TRANSIENT_CODES = new Set([
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
  "P2034",
  "ECONNRESET",
  "ECONNREFUSED",
  "57P01",
  "08006",
  "08003",
  "08001",
]);

/** Lost connections, timeouts and serialization conflicts: worth another try. */
export function isTransient(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // Stryker disable next-line ConditionalExpression: TRANSIENT_CODES holds strings only, so `has` alone decides
  if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
  const message = (err as { message?: unknown }).message;
  if (typeof message !== "string") return false;
  return /ECONNRESET|ECONNREFUSED|Connection terminated|connection (?:is )?closed|server closed the connection|timeout exceeded/i.test(
    message,
  );
}

/** Retries transient failures with exponential backoff (100 ms, 200 ms, 400 ms, …). */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 6, baseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, baseMs * 2 ** (attempt - 1)));
    }
  }
}
