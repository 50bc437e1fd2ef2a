import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";

export interface Backend {
  name: "pglite" | "postgres";
  /** Admin connection string of the PostgreSQL server (postgres backend only). */
  adminUrl?: string;
}

/**
 * The database backends the suite runs against: always embedded PGlite, plus
 * real PostgreSQL when DATABASE_URL is set (as CI does).
 */
export function backends(): Backend[] {
  const url = process.env.DATABASE_URL;
  return url ? [{ name: "pglite" }, { name: "postgres", adminUrl: url }] : [{ name: "pglite" }];
}

export interface TestDatabase {
  database: Database;
  /** Connection string of the fresh database (postgres backend only). */
  url?: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database: in-memory PGlite, or a new PostgreSQL database dropped on dispose. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend.name === "pglite") {
    const database = await openDatabase({});
    await migrate(database.sql);
    return { database, dispose: () => database.close() };
  }
  const name = `scenariolab_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: backend.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(backend.adminUrl!);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  await migrate(database.sql);
  return {
    database,
    url: url.toString(),
    async dispose() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: backend.adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
