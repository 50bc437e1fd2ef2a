import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mm1 } from "../fixtures/models.js";
import { backends } from "../helpers/backends.js";
import { createScenario } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { wsResult, type LimitError } from "../helpers/ws-result.js";

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe.each(backends())("input hygiene at the edge ($name)", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  let ids: { modelId: string; analysisId: string; scenarioId: string };
  let profileId: string;

  /** Rows of every table a mutation could write, to prove a refused one wrote nothing. */
  const rowCounts = async () => {
    const p = t.db.database.prisma;
    return Promise.all([
      p.model.count(),
      p.analysis.count(),
      p.scenario.count(),
      p.scenarioItemProfile.count(),
      p.scenarioRun.count(),
      p.apiKey.count(),
      p.user.count(),
      p.model.findMany({ select: { name: true, description: true, version: true } }),
      p.scenario.findMany({ select: { name: true, description: true } }),
    ]);
  };

  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
    ids = await createScenario(t, tenant.apiKey, mm1(), { name: "100% sure" });
    const profile = await t.gql<{ overrideScenarioItem: { id: string } }, unknown>(
      tenant.apiKey,
      `mutation($s: ID!) { overrideScenarioItem(scenarioId: $s, input: {
         targetObjectType: RESOURCE, targetObjectId: "server", propertyName: "capacity", propertyValue: 2 }) { id } }`,
      { s: ids.scenarioId },
    );
    expect(profile.errors).toBeUndefined();
    profileId = profile.data!.overrideScenarioItem.id;
  });
  afterAll(() => t?.dispose());

  // Every string argument and input field of the API, as [operation, variables with `$bad` where the text goes].
  const stringInputs = (bad: string): [string, string, Record<string, unknown>][] => [
    ["models.nameContains", `query($v: String) { models(nameContains: $v) { totalCount } }`, { v: bad }],
    ["models.after", `query($v: String) { models(after: $v) { totalCount } }`, { v: bad }],
    ["analyses.nameContains", `query($v: String) { analyses(nameContains: $v) { totalCount } }`, { v: bad }],
    [
      "scenarios.filter.nameContains",
      `query($v: String) { scenarios(filter: { nameContains: $v }) { totalCount } }`,
      { v: bad },
    ],
    ["model.id", `query($v: ID!) { model(id: $v) { id } }`, { v: bad }],
    ["scenario.id", `query($v: ID!) { scenario(id: $v) { id } }`, { v: bad }],
    [
      "compareScenarios.ids",
      `query($v: ID!) { compareScenarios(ids: [$v]) { baseline { id } } }`,
      { v: bad },
    ],
    [
      "createModel.name",
      `mutation($v: String!) { createModel(input: { name: $v, definition: ${JSON.stringify(JSON.stringify(mm1()))} }) { id } }`,
      { v: bad },
    ],
    [
      "createModel.description",
      `mutation($v: String, $d: JSON!) { createModel(input: { name: "ok", description: $v, definition: $d }) { id } }`,
      { v: bad, d: mm1() },
    ],
    [
      "createModel.definition (value)",
      `mutation($d: JSON!) { createModel(input: { name: "ok", definition: $d }) { id } }`,
      { d: mm1({ name: bad }) },
    ],
    [
      "createModel.definition (key)",
      `mutation($d: JSON!) { createModel(input: { name: "ok", definition: $d }) { id } }`,
      { d: { ...mm1(), [`k${bad}`]: 1 } },
    ],
    [
      "updateModel.name",
      `mutation($id: ID!, $v: String) { updateModel(id: $id, input: { name: $v }) { id } }`,
      { id: ids.modelId, v: bad },
    ],
    [
      "createAnalysis.name",
      `mutation($m: ID!, $v: String!) { createAnalysis(input: { modelId: $m, name: $v }) { id } }`,
      { m: ids.modelId, v: bad },
    ],
    [
      "updateAnalysis.description",
      `mutation($id: ID!, $v: String) { updateAnalysis(id: $id, input: { description: $v }) { id } }`,
      { id: ids.analysisId, v: bad },
    ],
    [
      "createScenario.name",
      `mutation($a: ID!, $v: String!) { createScenario(input: { analysisId: $a, name: $v }) { id } }`,
      { a: ids.analysisId, v: bad },
    ],
    [
      "updateScenario.name",
      `mutation($id: ID!, $v: String) { updateScenario(id: $id, input: { name: $v }) { id } }`,
      { id: ids.scenarioId, v: bad },
    ],
    [
      "duplicateScenario.name",
      `mutation($id: ID!, $v: String) { duplicateScenario(id: $id, name: $v) { id } }`,
      { id: ids.scenarioId, v: bad },
    ],
    [
      "overrideScenarioItem.targetObjectId",
      `mutation($s: ID!, $v: String!) { overrideScenarioItem(scenarioId: $s, input: {
         targetObjectType: RESOURCE, targetObjectId: $v, propertyName: "capacity", propertyValue: 2 }) { id } }`,
      { s: ids.scenarioId, v: bad },
    ],
    [
      "overrideScenarioItem.changeReason",
      `mutation($s: ID!, $v: String) { overrideScenarioItem(scenarioId: $s, input: {
         targetObjectType: RESOURCE, targetObjectId: "server", propertyName: "capacity", propertyValue: 3,
         changeReason: $v }) { id } }`,
      { s: ids.scenarioId, v: bad },
    ],
    [
      "updateScenarioItemProfile.propertyValue",
      `mutation($id: ID!, $v: JSON) { updateScenarioItemProfile(id: $id, input: { propertyValue: $v }) { id } }`,
      { id: profileId, v: { text: bad } },
    ],
    [
      "createApiKey.email",
      `mutation($v: String!) { createApiKey(input: { email: $v, role: VIEWER }) { apiKey } }`,
      { v: `a${bad}@example.test` },
    ],
  ];

  for (const [label, bad] of [
    ["a NUL byte", "a\u0000b"],
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "\udc00"],
  ] as const) {
    it(`refuses ${label} in every string input with BAD_USER_INPUT, writing nothing`, async () => {
      const before = await rowCounts();
      for (const [field, query, variables] of stringInputs(bad)) {
        const res = await t.gql(tenant.apiKey, query, variables);
        expect([field, codes(res)]).toEqual([field, ["BAD_USER_INPUT"]]);
      }
      expect(await rowCounts()).toEqual(before);
    });
  }

  it("refuses NUL bytes written as escapes in the document itself, not only in variables", async () => {
    const before = await rowCounts();
    for (const query of [
      `{ models(nameContains: "a\\u0000b") { totalCount } }`,
      `mutation { createModel(input: { name: "n", definition: { name: "\\u0000" } }) { id } }`,
    ]) {
      const res = await t.gql(tenant.apiKey, query);
      expect([query, codes(res)]).toEqual([query, ["BAD_USER_INPUT"]]);
      expect(res.errors![0].extensions?.details?.[0].message).toMatch(/NUL/);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("names the offending path in the details", async () => {
    const res = await t.gql(
      tenant.apiKey,
      `mutation($d: JSON!) { createModel(input: { name: "ok", definition: $d }) { id } }`,
      { d: mm1({ activities: [{ id: "a", name: "x\u0000" }] }) },
    );
    expect(res.errors![0].extensions).toEqual({
      code: "BAD_USER_INPUT",
      details: [
        {
          path: "input.definition.activities[0].name",
          message: "must not contain a NUL character (\\u0000)",
        },
      ],
    });
  });

  it("refuses a definition nested 10 000 levels deep with BAD_USER_INPUT, writing nothing", async () => {
    const before = await rowCounts();
    // Written by hand: JSON.stringify of such a value overflows this process's own stack.
    const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;
    const definition = JSON.stringify(mm1()).replace(/^\{/, `{"layout":${deep},`);
    const body = `{"query":"mutation($d: JSON!) { createModel(input: { name: \\"deep\\", definition: $d }) { id } }","variables":{"d":${definition}}}`;
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": tenant.apiKey },
      body,
    });
    const json = (await res.json()) as { errors: LimitError[] };
    expect(json.errors.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(json.errors[0].extensions?.details?.[0].message).toBe("is nested more than 100 levels deep");
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a definition larger than the JSON size limit", async () => {
    const before = await rowCounts();
    const res = await t.gql(
      tenant.apiKey,
      `mutation($d: JSON!) { createModel(input: { name: "big", definition: $d }) { id } }`,
      { d: mm1({ name: "x".repeat(2.5 * 1024 * 1024) }) },
    );
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions?.details).toEqual([
      { path: "input.definition", message: `is larger than ${2 * 1024 * 1024} bytes of JSON` },
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a cursor whose id is not a UUID, or whose date cannot be stored", async () => {
    for (const after of [
      cursorOf(["2026-01-01T00:00:00.000Z", "not-a-uuid"]),
      cursorOf(["2026-01-01T00:00:00.000Z", "1' OR '1'='1"]),
      cursorOf(["0000-01-01T00:00:00.000Z", ids.modelId]),
      cursorOf(["+275760-09-13T00:00:00.000Z", ids.modelId]),
      cursorOf({ not: "a list" }),
      "!!!",
    ]) {
      for (const query of [
        `query($a: String) { models(after: $a) { totalCount } }`,
        `query($a: String) { analyses(after: $a) { totalCount } }`,
        `query($a: String) { scenarios(after: $a) { totalCount } }`,
      ]) {
        const res = await t.gql(tenant.apiKey, query, { a: after });
        expect([after, codes(res)]).toEqual([after, ["BAD_USER_INPUT"]]);
      }
    }
  });

  it("refuses malformed dates and dates outside the years 1 to 9999 in filters, as variables and literals", async () => {
    for (const date of [
      "0000-01-01T00:00:00Z",
      "-000001-01-01T00:00:00Z",
      "+010000-01-01T00:00:00Z",
      "not a date",
      "2026-13-45T99:00:00Z",
    ]) {
      const variable = await t.gql(
        tenant.apiKey,
        `query($d: DateTime) { scenarios(filter: { createdAfter: $d }) { totalCount } }`,
        { d: date },
      );
      expect([date, variable.status, codes(variable)]).toEqual([date, 400, ["BAD_USER_INPUT"]]);
    }
    const literal = await t.gql(
      tenant.apiKey,
      `{ scenarios(filter: { createdBefore: "0000-01-01T00:00:00Z" }) { totalCount } }`,
    );
    expect(codes(literal)).toEqual(["BAD_USER_INPUT"]);
    const fine = await t.gql<{ scenarios: { totalCount: number } }, never>(
      tenant.apiKey,
      `{ scenarios(filter: { createdAfter: "0001-01-01T00:00:00Z" }) { totalCount } }`,
    );
    expect(fine.data?.scenarios.totalCount).toBeGreaterThan(0);
  });

  it("finds rows by upper-case UUIDs in GraphQL as on the CSV route", async () => {
    const upper = (id: string) => id.toUpperCase();
    const read = await t.gql<
      { model: { id: string }; analysis: { id: string }; scenario: { id: string } },
      unknown
    >(
      tenant.apiKey,
      `query($m: ID!, $a: ID!, $s: ID!) { model(id: $m) { id } analysis(id: $a) { id } scenario(id: $s) { id } }`,
      { m: upper(ids.modelId), a: upper(ids.analysisId), s: upper(ids.scenarioId) },
    );
    expect(read.data).toEqual({
      model: { id: ids.modelId },
      analysis: { id: ids.analysisId },
      scenario: { id: ids.scenarioId },
    });
    const filtered = await t.gql<{ scenarios: { totalCount: number } }, unknown>(
      tenant.apiKey,
      `query($a: ID) { scenarios(filter: { analysisId: $a }) { totalCount } }`,
      { a: upper(ids.analysisId) },
    );
    expect(filtered.data?.scenarios.totalCount).toBe(1);
    const updated = await t.gql<{ updateScenario: { id: string; description: string } }, unknown>(
      tenant.apiKey,
      `mutation($id: ID!) { updateScenario(id: $id, input: { description: "upper" }) { id description } }`,
      { id: upper(ids.scenarioId) },
    );
    expect(updated.data?.updateScenario).toEqual({ id: ids.scenarioId, description: "upper" });
  });

  it("matches % and _ in nameContains literally", async () => {
    const count = async (text: string) =>
      (
        await t.gql<{ scenarios: { totalCount: number }; models: { totalCount: number } }, unknown>(
          tenant.apiKey,
          `query($n: String) { scenarios(filter: { nameContains: $n }) { totalCount } models(nameContains: $n) { totalCount } }`,
          { n: text },
        )
      ).data;
    expect(await count("%")).toEqual({ scenarios: { totalCount: 1 }, models: { totalCount: 1 } });
    await createScenario(t, tenant.apiKey, mm1(), { name: "plain" });
    expect(await count("%")).toEqual({ scenarios: { totalCount: 1 }, models: { totalCount: 1 } });
    expect(await count("_")).toEqual({ scenarios: { totalCount: 0 }, models: { totalCount: 0 } });
    expect(await count("\\")).toEqual({ scenarios: { totalCount: 0 }, models: { totalCount: 0 } });
    expect(await count("0% s")).toEqual({ scenarios: { totalCount: 1 }, models: { totalCount: 1 } });
    expect(await count("PLAIN")).toEqual({ scenarios: { totalCount: 1 }, models: { totalCount: 1 } });
  });

  it("answers a subscription sent over HTTP with BAD_USER_INPUT (400)", async () => {
    const res = await t.gql(
      tenant.apiKey,
      `subscription($s: ID) { scenarioProgress(scenarioId: $s) { state } }`,
      { s: ids.scenarioId },
    );
    expect([res.status, codes(res)]).toEqual([400, ["BAD_USER_INPUT"]]);
    expect(res.errors![0].message).toMatch(/WebSocket/);
  });

  it("applies the same checks to operations over WebSocket", async () => {
    const client = t.ws(tenant.apiKey);
    const sub = await wsResult(
      client,
      `subscription($s: ID) { scenarioProgress(scenarioId: $s) { state } }`,
      { s: "a\u0000" },
    );
    expect(sub.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    const query = await wsResult(client, `query($n: String) { models(nameContains: $n) { totalCount } }`, {
      n: "\ud800",
    });
    expect(query.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    const upper = await wsResult(client, `query($m: ID!) { model(id: $m) { id } }`, {
      m: ids.modelId.toUpperCase(),
    });
    expect(upper).toEqual({ data: { model: { id: ids.modelId } } });
  });
});

describe("definition hygiene", () => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(backends()[0]);
    tenant = await t.tenant();
  });
  afterAll(() => t?.dispose());

  const create = `mutation($d: JSON!) { createModel(input: { name: "padded", definition: $d }) {
    id version definition definitionWarnings { path message } } }`;
  interface Created {
    id: string;
    version: number;
    definition: Record<string, unknown>;
    definitionWarnings: { path: string; message: string }[];
  }

  it("stores the known keys of the wire format only, and says which keys it dropped", async () => {
    const padded = mm1({ padding: "x".repeat(100_000) });
    (padded.activities as Record<string, unknown>[])[0].layout = { x: 10, y: 20 };
    const res = await t.gql<{ createModel: Created }, unknown>(tenant.apiKey, create, { d: padded });
    expect(res.errors).toBeUndefined();
    const model = res.data!.createModel;
    expect(model.definition).toEqual(mm1());
    expect(model.definitionWarnings).toEqual([
      { path: "activities[0].layout", message: "unknown key, dropped" },
      { path: "padding", message: "unknown key, dropped" },
    ]);
    // Stored so: a later read has neither key, and no warnings.
    const read = await t.gql<{ model: Created }, unknown>(
      tenant.apiKey,
      `query($id: ID!) { model(id: $id) { definition definitionWarnings { path } } }`,
      { id: model.id },
    );
    expect(read.data?.model).toEqual({ definition: mm1(), definitionWarnings: [] });
    const row = await t.db.database.prisma.model.findUniqueOrThrow({ where: { id: model.id } });
    expect(row.definition).toEqual(mm1());

    // Adding only unknown keys is no change of the definition: the version stays.
    const update = await t.gql<{ updateModel: Created }, unknown>(
      tenant.apiKey,
      `mutation($id: ID!, $d: JSON) { updateModel(id: $id, input: { definition: $d }) {
         version definition definitionWarnings { path } } }`,
      { id: model.id, d: mm1({ comment: "hello" }) },
    );
    expect(update.errors?.map((e) => e.message)).toBeUndefined();
    expect(update.data?.updateModel).toEqual({
      version: 1,
      definition: mm1(),
      definitionWarnings: [{ path: "comment" }],
    });
  });

  it("still reports an invalid definition by the paths the client sent", async () => {
    const res = await t.gql(tenant.apiKey, create, { d: mm1({ junk: 1, connectors: [{ id: "c" }] }) });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions?.details?.map((d) => d.path)).toContain(
      "definition.connectors[0].sourceId",
    );
  });
});
