import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultHardening } from "../../src/config.js";
import { backends } from "../helpers/backends.js";
import { startTestServer, testHardening, type TestServer, type TestTenant } from "../helpers/server.js";

// Access to /metrics does not depend on the database: the embedded one is enough.
const [pglite] = backends();

const metrics = (t: TestServer, headers: Record<string, string> = {}) =>
  fetch(new URL("/metrics", t.url), { headers });

describe("GET /metrics with METRICS_TOKEN", () => {
  let t: TestServer;
  let tenant: TestTenant;
  const token = "metrics-token-for-tests";
  beforeAll(async () => {
    const h = testHardening();
    t = await startTestServer(pglite, { hardening: { ...h, metrics: { ...h.metrics, token } } });
    tenant = await t.tenant();
  });
  afterAll(() => t?.dispose());

  it("refuses a request without the token, with a wrong one, and with an API key", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: token },
      { authorization: `Bearer ${tenant.apiKey}` },
      { "x-api-key": tenant.apiKey },
    ];
    for (const headers of attempts) {
      const res = await metrics(t, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });

  it("answers the token, with no tenant, user or key in any series", async () => {
    // Some traffic of the tenant first, so that its operations are counted.
    await t.gql(tenant.apiKey, `{ me { email tenant { id slug } } }`);
    await t.gql(tenant.apiKey, `{ nope }`);
    const res = await metrics(t, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^scenariolab_graphql_operations_total\{type="query",outcome="ok"\} [1-9]/m);
    for (const secret of [tenant.tenantId, tenant.userId, tenant.apiKey, tenant.apiKey.slice(0, 12)])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/tenant|user_id|api_key/i);
  });
});

describe("GET /metrics without a token", () => {
  it("is refused in production (403)", async () => {
    const t = await startTestServer(pglite, {
      hardening: { ...testHardening(), metrics: defaultHardening("production").metrics },
    });
    try {
      const res = await metrics(t);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await t.dispose();
    }
  });

  it("is open in development", async () => {
    const t = await startTestServer(pglite);
    try {
      const res = await metrics(t);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^scenariolab_runs_active /m);
    } finally {
      await t.dispose();
    }
  });
});
