import { describe, expect, it } from "vitest";
import { postgresSql } from "./sql.js";

const postgres = process.env.DATABASE_URL;

describe.skipIf(!postgres)("the migration connection on PostgreSQL (needs DATABASE_URL)", () => {
  it("survives the server ending its session: the process lives on and the next query fails", async () => {
    const sql = await postgresSql(postgres!);
    const admin = await postgresSql(postgres!);
    try {
      const [{ pid }] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      // pg emits 'error' on the idle client once the server's notice arrives; unhandled, it would end the process.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(sql.query("SELECT 1")).rejects.toThrow();
      expect(await admin.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await sql.close().catch(() => undefined);
      await admin.close();
    }
  });
});
