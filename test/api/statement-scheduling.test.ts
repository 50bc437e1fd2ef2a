import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_POOL_SIZE } from "../../src/db/client.js";
import { mm1 } from "../fixtures/models.js";
import { backends } from "../helpers/backends.js";
import { createScenario } from "../helpers/scenarios.js";
import { startTestServer, testHardening, type TestServer, type TestTenant } from "../helpers/server.js";
import { CreateScenarioDocument } from "../generated/graphql.js";

/** Scenarios of the one analysis of the heavy tenant, and the page size of the long query. */
const PAGE = 4;

/**
 * scenarios → analysis → scenarios … `levels` deep: on an analysis with PAGE
 * scenarios, one paginated read of scenarios per analysis and level (1 + 4 + 16 + …).
 */
function nested(levels: number): string {
  let inner = "id";
  for (let i = 0; i < levels; i++)
    inner = `scenarios(first: ${PAGE}) { edges { node { analysis { ${inner} } } } }`;
  return `{ ${inner} }`;
}

/** Reads of scenarios the whole long query takes. */
const reads = (levels: number) => (PAGE ** levels - 1) / (PAGE - 1);

/** The statements of the long query read scenarios; the other client's `me` reads none. */
const readsScenarios = (sql: string) => sql.includes(`"scenarios"`);

/** The value of a series in the server's /metrics text. */
async function metric(t: TestServer, series: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", t.url))).text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Until no statement waits or runs (polls /metrics). */
async function quiet(t: TestServer): Promise<void> {
  while (
    (await metric(t, "scenariolab_db_statements_waiting")) > 0 ||
    (await metric(t, "scenariolab_db_statements_running")) > 0
  )
    await new Promise((r) => setTimeout(r, 20));
}

/** Resolves once `count` statements reading scenarios have run since `from`. */
function afterStatements(log: string[], from: number, count: number): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (log.length - from >= count ? resolve() : setImmediate(poll));
    poll();
  });
}

describe.each(backends())("statement scheduling between requests ($name)", (backend) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  /** A server whose shape and cost limits let the long query run; `timeoutMs` 0: no time budget. */
  async function setup(timeoutMs: number) {
    const h = testHardening();
    t = await startTestServer(backend, {
      hardening: {
        ...h,
        operations: { ...h.operations, maxDepth: 1000, maxCost: 1e9, maxTokens: 1e6, timeoutMs },
      },
    });
    const heavy = await t.tenant();
    const { analysisId } = await createScenario(t, heavy.apiKey, mm1());
    for (let i = 1; i < PAGE; i++) {
      const name = `scenario ${i}`;
      const created = await t.gql(heavy.apiKey, CreateScenarioDocument, { input: { analysisId, name } });
      expect(created.errors).toBeUndefined();
    }
    const other: TestTenant = await t.tenant();
    // The statement log of the long query's reads (the other client's statements read no scenario).
    const log: string[] = [];
    t.db.database.onQuery((sql) => {
      if (readsScenarios(sql)) log.push(sql);
    });
    return { t, heavy, other, log };
  }

  it("answers another client's query while a long one runs, and completes the long one", async () => {
    const { t, heavy, other, log } = await setup(0);
    // 4 levels: 1 + 4 + 16 + 64 = 85 reads of scenarios, up to 64 of them sent at once.
    const long = t.gql(heavy.apiKey, nested(4));
    await afterStatements(log, 0, 25);
    const answer = await t.gql(other.apiKey, `{ me { email } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ me: { email: expect.stringContaining("@") } });
    // Scheduling reorders statements but drops none: the long query completes.
    const res = await long;
    expect(res.errors).toBeUndefined();
    expect(log.length).toBe(reads(4));
  });

  it("drops the statements a query aborted by its time budget had not started, and serves the other client", async () => {
    // 1.5 s: enough for the other client's query and the setup's mutations, not for the 8-level
    // query's 21 845 reads on any machine; when it runs out, thousands of them are waiting.
    const { t, heavy, other, log } = await setup(1500);
    const long = t.gql(heavy.apiKey, nested(8));
    await afterStatements(log, 0, 20);
    const answer = await t.gql(other.apiKey, `{ me { email } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ me: { email: expect.stringContaining("@") } });
    const res = await long;
    expect(res.errors?.map((e) => [e.extensions?.code, (e.extensions as { limit?: string }).limit])).toEqual([
      ["BAD_USER_INPUT", "time"],
    ]);
    const atAnswer = log.length;
    await quiet(t);
    // Only statements already running when the budget ran out may finish after the answer.
    expect(log.length - atAnswer).toBeLessThanOrEqual(backend.name === "pglite" ? 1 : DATABASE_POOL_SIZE);
    expect(log.length).toBeLessThan(reads(8));
    expect(await metric(t, "scenariolab_db_statements_dropped_total")).toBeGreaterThan(0);
  });
});
