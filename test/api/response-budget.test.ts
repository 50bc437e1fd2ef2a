import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mm1 } from "../fixtures/models.js";
import { backends } from "../helpers/backends.js";
import { createScenario } from "../helpers/scenarios.js";
import { startTestServer, testHardening, type TestServer, type TestTenant } from "../helpers/server.js";
import { limitOf, wsResult } from "../helpers/ws-result.js";

// The budget does not depend on the database: the embedded one is enough.
const [pglite] = backends();

const aliases = (n: number, field: string) =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ");

async function counter(t: TestServer, series: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", t.url))).text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("response budget and the cost of large fields", () => {
  let t: TestServer;
  let tenant: TestTenant;
  let modelId: string;
  let scenarioId: string;
  const maxBytes = 64 * 1024;
  beforeAll(async () => {
    const h = testHardening();
    // Aliases allowed far beyond the default, so that the cost and the response budget are what refuse.
    t = await startTestServer(pglite, {
      hardening: {
        ...h,
        operations: { ...h.operations, maxAliases: 1000 },
        response: { maxBytes },
      },
    });
    tenant = await t.tenant();
    // About 3 KB of definition.
    ({ modelId, scenarioId } = await createScenario(t, tenant.apiKey, mm1({ name: "x".repeat(2000) })));
  });
  afterAll(() => t?.dispose());

  it("refuses 200 aliases of definition by their cost, before anything runs", async () => {
    const res = await t.gql(
      tenant.apiKey,
      `query($id: ID!) { model(id: $id) { ${aliases(200, "definition")} } }`,
      {
        id: modelId,
      },
    );
    expect(res.status).toBe(400);
    expect(limitOf(res)).toEqual([["BAD_USER_INPUT", "cost"]]);
  });

  it("refuses 200 aliases of effectiveModel and of results by their cost", async () => {
    for (const field of ["effectiveModel", "results { reps }"]) {
      const res = await t.gql(
        tenant.apiKey,
        `query($id: ID!) { scenario(id: $id) { ${aliases(200, field)} } }`,
        { id: scenarioId },
      );
      expect([field, limitOf(res)]).toEqual([field, [["BAD_USER_INPUT", "cost"]]]);
    }
  });

  it("refuses an answer over the response budget with a typed error, not a 500", async () => {
    const series = 'scenariolab_graphql_refused_total{limit="response",transport="http"}';
    const before = await counter(t, series);
    const res = await t.gql(
      tenant.apiKey,
      `query($id: ID!) { model(id: $id) { ${aliases(60, "definition")} } }`,
      {
        id: modelId,
      },
    );
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(limitOf(res)).toEqual([["BAD_USER_INPUT", "response"]]);
    expect(res.errors![0].message).toMatch(`larger than the limit of ${maxBytes} bytes`);
    expect(await counter(t, series)).toBe(before + 1);
    // Below the budget, the same field is answered.
    const few = await t.gql<{ model: Record<string, unknown> }, unknown>(
      tenant.apiKey,
      `query($id: ID!) { model(id: $id) { ${aliases(10, "definition")} } }`,
      { id: modelId },
    );
    expect(few.errors).toBeUndefined();
    expect(Object.keys(few.data!.model)).toHaveLength(10);
  });

  it("applies the budget to operations over WebSocket", async () => {
    const client = t.ws(tenant.apiKey);
    const big = await wsResult(
      client,
      `query($id: ID!) { model(id: $id) { ${aliases(60, "definition")} } }`,
      {
        id: modelId,
      },
    );
    expect(big.data).toBeUndefined();
    expect(limitOf(big)).toEqual([["BAD_USER_INPUT", "response"]]);
    const small = await wsResult(client, `query($id: ID!) { model(id: $id) { id } }`, { id: modelId });
    expect(small).toEqual({ data: { model: { id: modelId } } });
  });
});
