import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { printSchemaSDL, SCHEMA_PATH } from "../../src/server/sdl.js";

describe("schema.graphql", () => {
  it("matches the schema generated from the code (run `npm run schema:emit` when this fails)", async () => {
    expect(await readFile(SCHEMA_PATH, "utf8")).toBe(await printSchemaSDL());
  });
});
