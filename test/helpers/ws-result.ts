import type { Client } from "graphql-ws";

/** An error an operation was refused with (operation limits, budgets). */
export interface LimitError {
  message: string;
  extensions?: { code?: string; limit?: string; details?: { path: string; message: string }[] };
}

/** One result of a query or mutation over graphql-ws: its data, or the errors it was refused with. */
export function wsResult(client: Client, query: string, variables?: Record<string, unknown>) {
  return new Promise<{ data?: unknown; errors?: LimitError[] }>((resolve) => {
    let last: { data?: unknown; errors?: LimitError[] } = {};
    client.subscribe(
      { query, variables },
      {
        next: (r) => {
          last = r as typeof last;
          if (last.errors) resolve(last);
        },
        error: (e) => resolve({ errors: Array.isArray(e) ? (e as LimitError[]) : [e as LimitError] }),
        complete: () => resolve(last),
      },
    );
  });
}

/** [code, limit] of each error of a result. */
export const limitOf = (r: { errors?: LimitError[] }) =>
  r.errors?.map((e) => [e.extensions?.code, e.extensions?.limit]);
