import "reflect-metadata";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadConfig, type Config } from "./config.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { AppError, badInput } from "./errors.js";
import { MODEL_FORMATS, type ModelFormat } from "./import/index.js";
import { createLogger, type Logger } from "./logger.js";
import { createApiKey, createTenant } from "./modules/auth/auth.service.js";
import { Role } from "./modules/auth/principal.js";
import { parseModelFile, storeModelFile } from "./modules/model/model-import.js";
import { createAppPubSub, type PubSubHandle } from "./pubsub/pubsub.js";
import { createRunner } from "./runner/runtime.js";
import { startServer } from "./server/app.js";
import { createSchema } from "./server/schema.js";
import { seedIfEmpty } from "./seed/seed.js";

const USAGE = `Usage: scenariolab <command> [options]

Commands:
  serve                                  start the API (what npm start runs)
  migrate                                apply pending migrations and exit
  create-tenant --name <name> --admin-email <email> [--slug <slug>]
                                         create a tenant and its admin; prints {"tenantId","userId","apiKey"}
  create-api-key --tenant <id|slug> --email <email> --role VIEWER|EDITOR|ADMIN
                                         create a key (and the user if missing); prints {"userId","apiKey"}
  import-model --tenant <id|slug> --file <path> [--name <name>] [--format QUODSI_JSON|DRAWIO]
                                         import a Quodsi JSON (clean or legacy) or draw.io file as a model;
                                         prints {"modelId"}
  worker                                 take queued runs until SIGTERM (RUN_MODE=queue; needs DATABASE_URL)
`;

const print = (line: string) => process.stdout.write(`${line}\n`);

async function openMigrated(config: Config): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database.sql);
  return database;
}

/** The runner of a process: inline, or on the job queue (executing runs when `consume`). */
function runnerFor(
  config: Config,
  database: Database,
  pubsub: PubSubHandle,
  logger: Logger,
  consume: boolean,
) {
  return createRunner({
    prisma: database.prisma,
    pubsub: pubsub.pubsub,
    dataDir: config.dataDir,
    concurrency: config.runnerConcurrency,
    limits: config.runs,
    logger,
    queue:
      config.runMode === "queue"
        ? {
            // loadConfig refuses queue mode without DATABASE_URL.
            databaseUrl: config.databaseUrl!,
            settings: config.queue,
            consume,
            applicationName: consume ? "scenariolab-worker" : "scenariolab-api",
          }
        : undefined,
  });
}

/** Stops the process on SIGTERM and SIGINT, once, with `stop`'s steps; exits 0, or 1 when a step failed. */
function onSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    try {
      await stop();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, "unclean shutdown");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void handle("SIGTERM"));
  process.on("SIGINT", () => void handle("SIGINT"));
}

async function serve(config: Config, logger: Logger): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const pubsub = createAppPubSub(config.redisUrl);
  const runner = runnerFor(
    config,
    database,
    pubsub,
    logger,
    config.runMode === "inline" || config.queue.workerInApi,
  );
  const server = await startServer({
    host: config.host,
    port: config.port,
    database,
    schema: await createSchema(),
    logger,
    runtime: runner,
    results: runner.results,
    nodeEnv: config.nodeEnv,
    hardening: config.hardening,
  });
  const applied = await migrate(database.sql);
  if (applied.length) logger.info({ applied }, "applied migrations");
  const seeded = await seedIfEmpty(database, runner, logger);
  await runner.start();
  server.markReady();
  logger.info(
    {
      url: server.url,
      database: database.kind,
      pubsub: pubsub.kind,
      runMode: config.runMode,
      executesRuns: config.runMode === "inline" || config.queue.workerInApi,
      concurrency: config.runnerConcurrency,
      tenantConcurrency: config.runs.perTenantConcurrency,
    },
    "Scenario Lab is ready",
  );
  print(`Scenario Lab listening on ${server.url}`);
  if (seeded) {
    print(`Demo tenant created. Demo API key (shown once): ${seeded.apiKey}`);
    print(
      `Try: curl -s ${server.url} -H 'content-type: application/json' -H 'x-api-key: ${seeded.apiKey}' -d '{"query":"{ me { email tenant { slug } } }"}'`,
    );
  }

  onSignals(logger, async () => {
    await server.close();
    logger.info("HTTP and WebSocket closed");
    await runner.stop(config.shutdownGraceMs);
    logger.info("runner stopped");
    await pubsub.close();
    await database.close();
    logger.info("database closed");
  });
}

/**
 * `scenariolab worker`: takes runs from the job queue (RUNNER_CONCURRENCY at
 * once) until SIGTERM, which lets running runs finish for SHUTDOWN_GRACE_SECONDS
 * and hands the rest back to the queue.
 */
async function worker(config: Config, logger: Logger): Promise<void> {
  if (config.runMode !== "queue")
    throw new UsageError("`worker` takes runs from the job queue: set RUN_MODE=queue (and DATABASE_URL)");
  if (!config.redisUrl)
    logger.warn(
      "REDIS_URL is not set: progress of this worker's runs reaches no API instance, and cancels do not reach it",
    );
  const database = await openMigrated(config);
  const pubsub = createAppPubSub(config.redisUrl);
  const runner = runnerFor(config, database, pubsub, logger, true);
  await runner.start();
  logger.info(
    { pubsub: pubsub.kind, concurrency: config.runnerConcurrency, queue: config.queue },
    "worker is taking runs",
  );
  print(`Scenario Lab worker ${process.pid} taking runs`);
  onSignals(logger, async () => {
    await runner.stop(config.shutdownGraceMs);
    logger.info("runner stopped");
    await pubsub.close();
    await database.close();
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  switch (command) {
    case "serve":
      await serve(config, logger);
      return -1; // keeps running
    case "migrate": {
      const database = await openMigrated(config);
      await database.close();
      print(JSON.stringify({ migrated: true }));
      return 0;
    }
    case "create-tenant": {
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: "string" }, "admin-email": { type: "string" }, slug: { type: "string" } },
      });
      if (!values.name || !values["admin-email"])
        throw new UsageError("create-tenant needs --name and --admin-email");
      const database = await openMigrated(config);
      try {
        const created = await createTenant(database.prisma, {
          name: values.name,
          slug: values.slug,
          adminEmail: values["admin-email"],
        });
        print(JSON.stringify({ tenantId: created.tenantId, userId: created.userId, apiKey: created.apiKey }));
      } finally {
        await database.close();
      }
      return 0;
    }
    case "create-api-key": {
      const { values } = parseArgs({
        args: rest,
        options: { tenant: { type: "string" }, email: { type: "string" }, role: { type: "string" } },
      });
      if (!values.tenant || !values.email || !values.role)
        throw new UsageError("create-api-key needs --tenant, --email and --role");
      const role = values.role.toUpperCase();
      if (!(role in Role)) throw new UsageError("--role must be VIEWER, EDITOR or ADMIN");
      const database = await openMigrated(config);
      try {
        const created = await createApiKey(database.prisma, {
          tenant: values.tenant,
          email: values.email,
          role: role as Role,
        });
        print(JSON.stringify({ userId: created.userId, apiKey: created.apiKey }));
      } finally {
        await database.close();
      }
      return 0;
    }
    case "import-model": {
      const { values } = parseArgs({
        args: rest,
        options: {
          tenant: { type: "string" },
          file: { type: "string" },
          name: { type: "string" },
          format: { type: "string" },
        },
      });
      if (!values.tenant || !values.file) throw new UsageError("import-model needs --tenant and --file");
      const format = values.format?.toUpperCase();
      if (format !== undefined && !MODEL_FORMATS.includes(format as ModelFormat))
        throw new UsageError(`--format must be ${MODEL_FORMATS.join(" or ")}`);
      let text: string;
      try {
        text = await readFile(values.file, "utf8");
      } catch (err) {
        throw badInput(`cannot read --file ${values.file}: ${(err as Error).message}`);
      }
      // Conversion and validation need no database: a bad file is refused before one is opened.
      const parsed = parseModelFile(
        { text, fileName: values.file, name: values.name, format: format as ModelFormat | undefined },
        config.runs.model,
      );
      const database = await openMigrated(config);
      try {
        const imported = await storeModelFile(database.prisma, values.tenant, parsed);
        // stdout carries the one JSON line; what was dropped goes to stderr.
        for (const w of imported.warnings)
          process.stderr.write(`scenariolab: warning: ${w.path}: ${w.message}\n`);
        print(JSON.stringify({ modelId: imported.modelId }));
      } finally {
        await database.close();
      }
      return 0;
    }
    case "worker":
      await worker(config, logger);
      return -1; // keeps running
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message =
      err instanceof UsageError ||
      err instanceof AppError ||
      (err instanceof Error && err.name === "ConfigError")
        ? err.message
        : String((err as Error)?.stack ?? err);
    process.stderr.write(`scenariolab: ${message}\n`);
    // Validation failures name where: one line per detail.
    if (err instanceof AppError)
      for (const d of err.details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
    if (err instanceof UsageError) process.stderr.write(USAGE);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
