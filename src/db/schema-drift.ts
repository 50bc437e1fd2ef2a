import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { MIGRATIONS_DIR, readMigrations } from "./migrate.js";

const SCHEMA_PATH = fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));

/** The little of the WebAssembly API used here (TypeScript's ES2022 lib does not declare it). */
interface Wasm {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}

/** Node cannot import the engine's .wasm as an ES module: instantiate it by hand (wasm-bindgen glue). */
async function loadSchemaEngine(): Promise<typeof SchemaEngine> {
  const runtime = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as {
    __wbg_set_wasm(exports: object): void;
    SchemaEngine: typeof SchemaEngine;
  };
  const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
  const wasmPath = createRequire(import.meta.url)
    .resolve("@prisma/schema-engine-wasm/schema_engine_bg")
    .replace(/\.js$/, ".wasm");
  const instance = await wasm.instantiate(await wasm.compile(await readFile(wasmPath)), {
    "./schema_engine_bg.js": runtime,
  });
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  return runtime.SchemaEngine;
}

/**
 * The SQL that would take a database migrated with prisma/migrations to what
 * prisma/schema.prisma describes ("" when they agree), computed by Prisma's
 * WebAssembly schema engine against a throw-away in-memory PGlite. Needs the
 * dev dependency @prisma/schema-engine-wasm. CHECK constraints and partial
 * unique indexes exist only in the SQL and are not reported.
 */
export async function migrationDrift(): Promise<string> {
  const SchemaEngine = await loadSchemaEngine();
  const schema = await readFile(SCHEMA_PATH, "utf8");
  const migrations = await readMigrations();
  const pglite = await PGlite.create();
  const engine = await SchemaEngine.new(
    { datamodels: [["schema.prisma", schema]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite)),
  );
  try {
    const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
    const result = await engine.diff({
      from: {
        tag: "migrations",
        baseDir: MIGRATIONS_DIR,
        lockfile: {
          path: "migration_lock.toml",
          content: await readFile(lockPath, "utf8").catch(() => null),
        },
        shadowDbInitScript: "",
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: "migration.sql", content: { tag: "ok", value: m.sql } },
        })),
      },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = (result.stdout ?? "").trim();
    return sql === "-- This is an empty migration." ? "" : sql;
  } finally {
    engine.free();
    await pglite.close();
  }
}
