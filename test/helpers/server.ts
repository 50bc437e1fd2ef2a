import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createAppPubSub } from "../../src/pubsub/pubsub.js";
import { createRunner } from "../../src/runner/runtime.js";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type GraphQLSchema } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { defaultHardening, defaultRunLimits, type Hardening, type RunLimits } from "../../src/config.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { createApiKey, createTenant } from "../../src/modules/auth/auth.service.js";
import { type Role } from "../../src/modules/auth/principal.js";
import { startServer, type RunningServer } from "../../src/server/app.js";
import { createSchema } from "../../src/server/schema.js";
import { CancelScenarioDocument } from "../generated/graphql.js";
import { createTestDatabase, type Backend, type TestDatabase } from "./backends.js";

let schema: Promise<GraphQLSchema> | undefined;

/** Scenario states with a run under way. */
const ACTIVE_STATES = ["queued", "is_running", "cancelling"];

export interface GqlResult<T> {
  status: number;
  data?: T | null;
  errors?: {
    message: string;
    extensions?: { code?: string; details?: { path: string; message: string }[] };
  }[];
}

export interface TestTenant {
  tenantId: string;
  userId: string;
  apiKey: string;
  /** A key with another role in this tenant. */
  keyFor(role: Role): Promise<string>;
}

/** A real server on a random port over a fresh database; dispose() stops both. */
export interface TestServer {
  url: string;
  wsUrl: string;
  db: TestDatabase;
  server: RunningServer;
  /** The runner executing this server's runs (stop() it to act out a shutdown). */
  runner: ReturnType<typeof createRunner>;
  dataDir: string;
  tenant(name?: string): Promise<TestTenant>;
  gql<T, V>(
    apiKey: string | undefined,
    doc: TypedDocumentNode<T, V> | string,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<GqlResult<T>>;
  /** A graphql-ws client authenticated with the key (closed on dispose). */
  ws(apiKey: string | undefined): Client;
  /**
   * Cancels every run still queued or running and waits until they ended, so a test that failed
   * half-way leaves no endless run holding a runner slot for the next one (use in afterEach).
   */
  cancelActiveRuns(): Promise<void>;
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  /** Runs executing at once (default 2). */
  concurrency?: number;
  /** Redis URL for pub/sub; in-memory when omitted. */
  redisUrl?: string;
  /** The server's logger, e.g. one writing to an array the test reads (default: silent). */
  logger?: Logger;
  /** Limits of the server (default: testHardening(), the documented defaults without rate limits). */
  hardening?: Hardening;
  /** Fair sharing and run bounds (default: the documented defaults for `concurrency`). */
  runLimits?: Partial<RunLimits>;
  /** The database of another test server, for a second API instance of one deployment (left to its owner). */
  sharedDatabase?: TestDatabase;
}

/**
 * The documented defaults, except that the rate limits are off: tests of other
 * behaviour share one client address and must never run into them. Tests of
 * the limits pass their own (see test/api/hardening.test.ts).
 */
export function testHardening(): Hardening {
  const h = defaultHardening();
  return {
    ...h,
    rate: {
      ...h.rate,
      requestsPerMinute: 0,
      addressRequestsPerMinute: 0,
      authFailures: 0,
      expensivePerMinute: 0,
    },
  };
}

export async function startTestServer(
  backend: Backend,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const db = options.sharedDatabase ?? (await createTestDatabase(backend));
  schema ??= createSchema();
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-test-"));
  const pubsub = createAppPubSub(options.redisUrl);
  const concurrency = options.concurrency ?? 2;
  const runner = createRunner({
    prisma: db.database.prisma,
    pubsub: pubsub.pubsub,
    dataDir,
    concurrency,
    limits: { ...defaultRunLimits(concurrency), ...options.runLimits },
    logger,
  });
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    database: db.database,
    schema: await schema,
    logger,
    runtime: runner,
    results: runner.results,
    hardening: options.hardening ?? testHardening(),
  });
  await runner.start();
  server.markReady();
  const clients: Client[] = [];
  let tenants = 0;
  /** Admin key of every tenant made by tenant(), by tenant id. */
  const adminKeys = new Map<string, string>();
  const wsUrl = server.url.replace(/^http/, "ws");
  const gql: TestServer["gql"] = async (apiKey, doc, variables, headers = {}) => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(apiKey ? { "x-api-key": apiKey } : {}),
        ...headers,
      },
      body: JSON.stringify({ query: typeof doc === "string" ? doc : print(doc), variables }),
    });
    const body = (await res.json()) as GqlResult<never>;
    return { status: res.status, data: body.data, errors: body.errors };
  };
  const cancelActiveRuns = async () => {
    const prisma = db.database.prisma;
    const where = { state: { in: ACTIVE_STATES } };
    const active = await prisma.scenario.findMany({
      where,
      select: { id: true, tenantId: true, state: true },
    });
    if (active.length === 0) return;
    for (const s of active) {
      if (s.state === "cancelling") continue;
      const key = adminKeys.get(s.tenantId);
      if (!key) throw new Error(`scenario ${s.id} runs in a tenant not made by tenant(); cannot cancel it`);
      await gql(key, CancelScenarioDocument, { id: s.id });
    }
    const ids = active.map((s) => s.id);
    const deadline = Date.now() + 30_000;
    while ((await prisma.scenario.count({ where: { ...where, id: { in: ids } } })) > 0) {
      if (Date.now() > deadline)
        throw new Error(`runs of scenarios ${ids.join(", ")} still active after 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    url: server.url,
    wsUrl,
    db,
    server,
    runner,
    dataDir,
    async tenant(name?: string) {
      const label = name ?? `Tenant ${++tenants} ${Math.random().toString(36).slice(2, 8)}`;
      const created = await createTenant(db.database.prisma, {
        name: label,
        adminEmail: `admin@${label.replace(/\W+/g, "-").toLowerCase()}.test`,
      });
      adminKeys.set(created.tenantId, created.apiKey);
      return {
        ...created,
        keyFor: async (role: Role) =>
          (
            await createApiKey(db.database.prisma, {
              tenant: created.tenantId,
              email: `${role.toLowerCase()}@example.test`,
              role,
            })
          ).apiKey,
      };
    },
    gql,
    ws(apiKey) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: apiKey ? { apiKey } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    cancelActiveRuns,
    async dispose() {
      await Promise.all(clients.map((c) => Promise.resolve(c.dispose())));
      await server.close();
      await runner.stop(0);
      await pubsub.close();
      if (!options.sharedDatabase) await db.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error codes of a result, for compact assertions. */
export const codes = (result: GqlResult<unknown>): (string | undefined)[] =>
  (result.errors ?? []).map((e) => e.extensions?.code);
