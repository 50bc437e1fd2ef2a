import type { PrismaClient } from "../generated/prisma/client.js";
import { outsideLanes } from "./scheduler.js";

/** Every model that belongs to a tenant (all but Tenant itself). */
const TENANT_OWNED = new Set([
  "User",
  "ApiKey",
  "Model",
  "Analysis",
  "Scenario",
  "ScenarioItemProfile",
  "ScenarioRun",
]);

type Args = Record<string, unknown> & { where?: object; data?: unknown; create?: object };

function scopeArgs(operation: string, args: Args, tenantId: string): Args {
  switch (operation) {
    case "create":
      return { ...args, data: { ...(args.data as object), tenantId } };
    case "createMany":
    case "createManyAndReturn": {
      const data = Array.isArray(args.data) ? args.data : [args.data];
      return { ...args, data: data.map((row) => ({ ...(row as object), tenantId })) };
    }
    case "upsert":
      return { ...args, where: { ...args.where, tenantId }, create: { ...args.create, tenantId } };
    default:
      // find*, update*, delete*, count, aggregate, groupBy: all filter on where.
      return { ...args, where: { ...args.where, tenantId } };
  }
}

/**
 * A Prisma client that can only see and write one tenant's rows: every
 * operation on a tenant-owned model gets `tenantId` in its filter or data.
 * This is the one place tenant isolation is enforced, so a query cannot forget it.
 * Always write foreign keys as scalars (`analysisId`), not nested `connect`.
 */
export function tenantScoped(prisma: PrismaClient, tenantId: string) {
  return prisma.$extends({
    name: "tenant-scope",
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          const scoped = TENANT_OWNED.has(model) ? scopeArgs(operation, args ?? {}, tenantId) : args;
          // Prisma batches findUnique across requests into one statement: keep it out of any request's
          // lane, so that aborting one request cannot drop another's lookup (src/db/scheduler.ts).
          if (operation === "findUnique" || operation === "findUniqueOrThrow")
            return outsideLanes(() => query(scoped).then((row) => row));
          return query(scoped);
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof tenantScoped>;
/** The transaction client handed to `$transaction(async (tx) => …)` of a TenantDb. */
export type TenantTx = Parameters<Parameters<TenantDb["$transaction"]>[0]>[0];
