import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { createSchema } from "./schema.js";

export const SCHEMA_PATH = fileURLToPath(new URL("../../schema.graphql", import.meta.url));

/** The schema as SDL, sorted so that the checked-in file diffs cleanly. */
export async function printSchemaSDL(): Promise<string> {
  return `# Generated from the TypeGraphQL code by \`npm run schema:emit\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(await createSchema()))}\n`;
}
