import { describe, expect, it } from "vitest";
import { migrationDrift } from "../../src/db/schema-drift.js";

describe("prisma/migrations", () => {
  it("builds exactly the tables, columns, keys and indexes of prisma/schema.prisma (run `npm run migrate:diff` when this fails)", async () => {
    expect(await migrationDrift()).toBe("");
  }, 120_000);
});
