import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import { scheduleStatements, type StatementStats } from "./scheduler.js";
import { pgliteSql, postgresSql, type SqlConnection } from "./sql.js";

export { PrismaClient };

/** Connections of the PostgreSQL pool, and so statements running at once. */
export const DATABASE_POOL_SIZE = 10;

export interface Database {
  kind: "pglite" | "postgres";
  prisma: PrismaClient;
  /** Raw SQL on a dedicated connection (migrations, locks). */
  sql: SqlConnection;
  /** Registers a listener called once per SQL statement Prisma sends. */
  onQuery(listener: (sql: string) => void): () => void;
  /** The statement scheduler in front of Prisma's driver adapter (src/db/scheduler.ts). */
  statements: StatementStats;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for real PostgreSQL. */
  databaseUrl?: string;
  /** PGlite directory; omitted with no databaseUrl = in memory. */
  dataDir?: string;
}

function withQueryEvents(prisma: PrismaClient) {
  const listeners = new Set<(sql: string) => void>();
  (prisma as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on(
    "query",
    (e) => {
      for (const listener of listeners) listener(e.query);
    },
  );
  return (listener: (sql: string) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
}

const LOG = [{ emit: "event" as const, level: "query" as const }];

/** Opens the embedded PGlite database (persisted under dataDir/pglite) or PostgreSQL. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { factory, stats } = scheduleStatements(
      new PrismaPg({ connectionString: options.databaseUrl, max: DATABASE_POOL_SIZE }),
      { concurrency: DATABASE_POOL_SIZE, inProcess: false },
    );
    const prisma = new PrismaClient({ adapter: factory, log: LOG });
    const sql = await postgresSql(options.databaseUrl);
    const onQuery = withQueryEvents(prisma);
    return {
      kind: "postgres",
      prisma,
      sql,
      onQuery,
      statements: stats,
      async close() {
        await prisma.$disconnect();
        await sql.close();
      },
    };
  }
  let dir: string | undefined;
  if (options.dataDir) {
    dir = path.join(options.dataDir, "pglite");
    await mkdir(dir, { recursive: true });
  }
  const pglite = await PGlite.create(dir);
  // PGlite runs one statement at a time: one in flight, the rest wait in the fair queue.
  const { factory, stats } = scheduleStatements(new PrismaPGlite(pglite), {
    concurrency: 1,
    inProcess: true,
  });
  const prisma = new PrismaClient({ adapter: factory, log: LOG });
  const onQuery = withQueryEvents(prisma);
  return {
    kind: "pglite",
    prisma,
    sql: pgliteSql(pglite),
    onQuery,
    statements: stats,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
