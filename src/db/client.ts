import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import { pgliteSql, postgresSql, type SqlConnection } from "./sql.js";

export { PrismaClient };

export interface Database {
  kind: "pglite" | "postgres";
  prisma: PrismaClient;
  /** Raw SQL on a dedicated connection (migrations, locks). */
  sql: SqlConnection;
  /** Registers a listener called once per SQL statement Prisma sends. */
  onQuery(listener: (sql: string) => void): () => void;
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
    const prisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: options.databaseUrl }),
      log: LOG,
    });
    const sql = await postgresSql(options.databaseUrl);
    const onQuery = withQueryEvents(prisma);
    return {
      kind: "postgres",
      prisma,
      sql,
      onQuery,
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
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), log: LOG });
  const onQuery = withQueryEvents(prisma);
  return {
    kind: "pglite",
    prisma,
    sql: pgliteSql(pglite),
    onQuery,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
