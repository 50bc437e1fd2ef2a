import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultHardening } from "../../src/config.js";
import { mm1 } from "../fixtures/models.js";
import { backends } from "../helpers/backends.js";
import { createScenario } from "../helpers/scenarios.js";
import { startTestServer, testHardening, type TestServer, type TestTenant } from "../helpers/server.js";
import { limitOf, wsResult } from "../helpers/ws-result.js";

// The limits do not depend on the database: the embedded one is enough.
const [pglite] = backends();

/** The attack of the issue: scenarios → analysis → scenarios → … `levels` deep, 100 a page. */
function nested(levels: number, leaf = "id"): string {
  let inner = leaf;
  for (let i = 0; i < levels; i++)
    inner = `scenarios(first: 100) { edges { node { analysis { ${inner} } } } }`;
  return `{ ${inner} }`;
}

/** The value of a counter series in the server's /metrics text. */
async function counter(t: TestServer, series: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", t.url))).text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("operation limits (documented defaults)", () => {
  let t: TestServer;
  let attacker: TestTenant;
  let other: TestTenant;
  let scenarioId: string;
  beforeAll(async () => {
    t = await startTestServer(pglite);
    attacker = await t.tenant();
    other = await t.tenant();
    ({ scenarioId } = await createScenario(t, attacker.apiKey, mm1()));
    await createScenario(t, attacker.apiKey, mm1());
  });
  afterAll(() => t.dispose());

  const me = `{ me { email } }`;

  it("refuses the 15-level nested query for its depth while another client's query is answered", async () => {
    const [attack, normal] = await Promise.all([
      t.gql(attacker.apiKey, nested(15)),
      t.gql<{ me: { email: string } }, never>(other.apiKey, me),
    ]);
    expect(attack.status).toBe(400);
    expect(limitOf(attack)).toEqual([["BAD_USER_INPUT", "depth"]]);
    expect(attack.errors![0].message).toMatch(/depth limit of 12 exceeded, found 61/);
    expect(normal.data?.me.email).toMatch(/^admin@/);
  });

  it("refuses a nested query within the depth limit by its cost, since `first` multiplies", async () => {
    const attack = await t.gql(attacker.apiKey, nested(2, "scenarios(first: 100) { edges { node { id } } }"));
    expect(limitOf(attack)).toEqual([["BAD_USER_INPUT", "cost"]]);
    expect(attack.errors![0].message).toMatch(/cost limit of 5000 exceeded/);
  });

  it("prices the same document by its variables: 10 scenarios with their effective models pass, 100 do not", async () => {
    const query = `query($n: Int) { scenarios(first: $n) { edges { node { effectiveModel runs { effectiveModel } } } } }`;
    const few = await t.gql<{ scenarios: { edges: unknown[] } }, { n: number }>(attacker.apiKey, query, {
      n: 10,
    });
    expect(few.errors).toBeUndefined();
    expect(few.data!.scenarios.edges).toHaveLength(2);
    const many = await t.gql(attacker.apiKey, query, { n: 100 });
    expect(limitOf(many)).toEqual([["BAD_USER_INPUT", "cost"]]);
  });

  it("refuses 500 aliases of effectiveModel while another client's query is answered", async () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `m${i}: effectiveModel`).join(" ");
    const [attack, normal] = await Promise.all([
      t.gql(attacker.apiKey, `query($id: ID!) { scenario(id: $id) { ${aliases} } }`, { id: scenarioId }),
      t.gql<{ me: { email: string } }, never>(other.apiKey, me),
    ]);
    expect(limitOf(attack)).toEqual([["BAD_USER_INPUT", "aliases"]]);
    expect(attack.errors![0].message).toMatch(/Aliases limit of 20 exceeded, found 500/);
    expect(normal.data?.me.email).toMatch(/^admin@/);
  });

  it("refuses too many directives", async () => {
    const res = await t.gql(attacker.apiKey, `{ me { ${"email @include(if: true) ".repeat(21)} } }`);
    expect(limitOf(res)).toEqual([["BAD_USER_INPUT", "directives"]]);
  });

  it("refuses a document of too many tokens before parsing all of it", async () => {
    const res = await t.gql(attacker.apiKey, `{ me { ${"email ".repeat(3000)} } }`);
    expect(res.status).toBe(400);
    expect(limitOf(res)).toEqual([["BAD_USER_INPUT", "tokens"]]);
    expect(res.errors![0].message).toBe("Token limit of 3000 exceeded.");
  });

  it("counts refused operations in /metrics by limit, a repeated one each time it is refused", async () => {
    const series = 'scenariolab_graphql_refused_total{limit="aliases",transport="http"}';
    const before = await counter(t, series);
    const query = `{ me { ${Array.from({ length: 21 }, (_, i) => `e${i}: email`).join(" ")} } }`;
    const first = await t.gql(attacker.apiKey, query);
    const again = await t.gql(attacker.apiKey, query);
    expect(again).toEqual(first);
    expect(limitOf(again)).toEqual([["BAD_USER_INPUT", "aliases"]]);
    expect(await counter(t, series)).toBe(before + 2);
  });

  it("refuses a document over a shape limit before authenticating the key", async () => {
    const res = await t.gql(undefined, nested(15));
    expect([res.status, ...limitOf(res)!]).toEqual([400, ["BAD_USER_INPUT", "depth"]]);
  });

  it("applies the same limits to operations over WebSocket", async () => {
    const client = t.ws(attacker.apiKey);
    const aliases = Array.from({ length: 21 }, (_, i) => `s${i}: state`).join(" ");
    const subscription = await wsResult(
      client,
      `subscription($id: ID) { scenarioProgress(scenarioId: $id) { ${aliases} } }`,
      { id: scenarioId },
    );
    expect(limitOf(subscription)).toEqual([["BAD_USER_INPUT", "aliases"]]);
    expect(limitOf(await wsResult(client, nested(15)))).toEqual([["BAD_USER_INPUT", "depth"]]);
    expect(
      limitOf(await wsResult(client, nested(2, "scenarios(first: 100) { edges { node { id } } }"))),
    ).toEqual([["BAD_USER_INPUT", "cost"]]);
    expect(limitOf(await wsResult(client, `{ me { ${"email ".repeat(3000)} } }`))).toEqual([
      ["BAD_USER_INPUT", "tokens"],
    ]);
    // The connection stays usable for reasonable operations.
    expect(await wsResult(client, me)).toMatchObject({ data: { me: { email: expect.any(String) } } });
    expect(
      await counter(t, 'scenariolab_graphql_refused_total{limit="cost",transport="ws"}'),
    ).toBeGreaterThan(0);
  });

  it("answers introspection and suggests field names outside production", async () => {
    const schema = await t.gql<{ __schema: { queryType: { name: string } } }, never>(
      attacker.apiKey,
      `{ __schema { queryType { name } } }`,
    );
    expect(schema.data?.__schema.queryType.name).toBe("Query");
    const typo = await t.gql(attacker.apiKey, `{ me { emial } }`);
    expect(typo.errors![0].message).toMatch(/Did you mean "email"\?/);
  });
});

describe("production defaults", () => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(pglite, {
      hardening: { ...testHardening(), operations: defaultHardening("production").operations },
    });
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  it("refuses introspection over HTTP and WebSocket", async () => {
    const http = await t.gql(tenant.apiKey, `{ __schema { queryType { name } } }`);
    expect(http.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(http.errors![0].message).toMatch(/introspection/i);
    const ws = await wsResult(t.ws(tenant.apiKey), `{ __type(name: "Query") { name } }`);
    expect(ws.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(ws.errors![0].message).toMatch(/introspection/i);
  });

  it("names an unknown field without suggesting others, over HTTP and WebSocket", async () => {
    const http = await t.gql(tenant.apiKey, `{ me { emial } }`);
    expect(http.errors![0].message).toBe('Cannot query field "emial" on type "User".');
    const ws = await wsResult(t.ws(tenant.apiKey), `{ me { emial } }`);
    expect(ws.errors![0].message).toBe('Cannot query field "emial" on type "User".');
  });
});

describe("execution time budget", () => {
  let t: TestServer;
  let tenant: TestTenant;
  // 1 ms from the start of GraphQL processing: any operation that reads the database runs longer.
  const budgetMs = 1;
  beforeAll(async () => {
    const h = testHardening();
    t = await startTestServer(pglite, {
      hardening: { ...h, operations: { ...h.operations, timeoutMs: budgetMs } },
    });
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  // Two reads of the database one after the other: longer than 1 ms however fast the machine.
  const query = `{ me { email tenant { name } } }`;

  it("aborts an operation that outlives its budget with one error naming the limit", async () => {
    const res = await t.gql(tenant.apiKey, query);
    expect(limitOf(res)).toEqual([["BAD_USER_INPUT", "time"]]);
    expect(res.errors![0].message).toBe(
      `The operation ran longer than its time budget of ${budgetMs} ms and was aborted.`,
    );
    expect(
      await counter(t, 'scenariolab_graphql_refused_total{limit="time",transport="http"}'),
    ).toBeGreaterThan(0);
  });

  it("aborts it over WebSocket too", async () => {
    const res = await wsResult(t.ws(tenant.apiKey), query);
    expect(limitOf(res)).toEqual([["BAD_USER_INPUT", "time"]]);
  });
});
