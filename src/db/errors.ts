/** Name of the unique constraint a Prisma P2002 error violated, on PGlite or pg. */
export function uniqueViolation(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || (err as { code?: unknown }).code !== "P2002")
    return undefined;
  const cause = (
    err as {
      meta?: {
        driverAdapterError?: {
          cause?: { constraint?: { index?: string; fields?: string[] }; originalMessage?: string };
        };
      };
    }
  ).meta?.driverAdapterError?.cause;
  const fromMessage = cause?.originalMessage?.match(/constraint "([^"]+)"/)?.[1];
  return cause?.constraint?.index ?? fromMessage ?? cause?.constraint?.fields?.join(",") ?? "unique";
}

/** True when Prisma reports that a record to update or delete was not found. */
export function isRecordNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2025";
}
