import pg from "pg";
import type { PGlite, Transaction } from "@electric-sql/pglite";

/**
 * The few raw-SQL operations the migration runner and job bookkeeping need,
 * over either PGlite or a real PostgreSQL connection.
 */
export interface SqlConnection {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(text: string): Promise<void>;
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function pgliteSql(db: PGlite | Transaction): SqlConnection {
  return {
    async query<T>(text: string, params?: unknown[]) {
      return (await db.query(text, params)).rows as T[];
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<T>(fn: (tx: SqlConnection) => Promise<T>) {
      if (!("transaction" in db)) return fn(pgliteSql(db));
      return db.transaction((tx) => fn(pgliteSql(tx)));
    },
    async close() {
      // The PGlite instance is owned by the Database; closing happens there.
    },
  };
}

/**
 * A single pg connection (not a pool) so that transactions stay on it. It
 * mostly sits idle after the migrations; when the server ends it (a restart,
 * an administrator's pg_terminate_backend) pg emits 'error', which without a
 * listener would end the process. The next use fails instead (pg rejects
 * queries on a client that lost its connection).
 */
export async function postgresSql(connectionString: string): Promise<SqlConnection> {
  const client = new pg.Client({ connectionString });
  client.on("error", () => {});
  await client.connect();
  const conn = (inTx: boolean): SqlConnection => ({
    async query<T>(text: string, params?: unknown[]) {
      return (await client.query(text, params as unknown[])).rows as T[];
    },
    async exec(text: string) {
      await client.query(text);
    },
    async transaction<T>(fn: (tx: SqlConnection) => Promise<T>) {
      if (inTx) return fn(conn(true));
      await client.query("BEGIN");
      try {
        const result = await fn(conn(true));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    },
    async close() {
      await client.end();
    },
  });
  return conn(false);
}
