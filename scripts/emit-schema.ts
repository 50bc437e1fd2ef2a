import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import { printSchemaSDL, SCHEMA_PATH } from "../src/server/sdl.js";

// Regenerates the checked-in schema.graphql from the TypeGraphQL code.
await writeFile(SCHEMA_PATH, await printSchemaSDL());
process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
