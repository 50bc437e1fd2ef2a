import http from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RateLimits } from "../../src/config.js";
import { Role } from "../../src/modules/auth/principal.js";
import { backends } from "../helpers/backends.js";
import { rawWs } from "../helpers/raw-ws.js";
import { startTestServer, testHardening, type TestServer, type TestTenant } from "../helpers/server.js";

// The budgets do not depend on the database: the embedded one is enough.
const [pglite] = backends();

interface Answer {
  status: number;
  retryAfterHeader: string | undefined;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; retryAfter?: number } }[];
  /** REST routes answer `{ error, code, retryAfter }`. */
  code?: string;
  retryAfter?: number;
}

/**
 * An HTTP request from a given local address (127.0.0.x: every test has its own,
 * so the per-address budgets of one test never meet another's).
 */
function request(
  url: string,
  from: string,
  key: string | undefined,
  body?: { query: string; variables?: Record<string, unknown> },
): Promise<Answer> {
  const target = new URL(url);
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: payload ? "POST" : "GET",
        localAddress: from,
        headers: {
          ...(payload ? { "content-type": "application/json" } : {}),
          ...(key ? { "x-api-key": key } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          const header = res.headers["retry-after"];
          resolve({
            status: res.statusCode ?? 0,
            retryAfterHeader: typeof header === "string" ? header : undefined,
            ...(JSON.parse(text) as object),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const ME = { query: `{ me { email } }` };
const code = (a: Answer) => a.errors?.[0]?.extensions?.code ?? a.code;

/** Limits small enough to reach in a test; every test uses its own client address. */
const budgets: Partial<RateLimits> = {
  requestsPerMinute: 5,
  addressRequestsPerMinute: 20,
  authFailures: 3,
  authWindowSeconds: 600,
  expensivePerMinute: 2,
};

function hardening(rate: Partial<RateLimits>) {
  const h = testHardening();
  return { ...h, rate: { ...h.rate, ...rate } };
}

describe("rate limits", () => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(pglite, { hardening: hardening(budgets) });
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  it("answers the failed authentication after the third RATE_LIMITED with retryAfter; a key at work is unaffected", async () => {
    const from = "127.0.0.11";
    const working = await tenant.keyFor(Role.VIEWER);
    const fresh = await tenant.keyFor(Role.EDITOR);
    expect((await request(t.url, from, working, ME)).data).toBeTruthy();
    for (let i = 0; i < 3; i++) {
      const wrong = await request(t.url, from, `slk_wrong_${i}`, ME);
      expect([wrong.status, code(wrong)]).toEqual([401, "UNAUTHENTICATED"]);
    }
    const limited = await request(t.url, from, "slk_wrong_3", ME);
    expect([limited.status, code(limited)]).toEqual([429, "RATE_LIMITED"]);
    const retryAfter = limited.errors![0].extensions!.retryAfter!;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(limited.retryAfterHeader).toBe(String(retryAfter));

    // The key that was already at work behind this address is still served.
    expect(await request(t.url, from, working, ME)).toMatchObject({ status: 200, data: { me: {} } });
    // A valid key not seen before looks like any other guess: guessing right gains nothing.
    expect(code(await request(t.url, from, fresh, ME))).toBe("RATE_LIMITED");
    // Another address is not affected.
    expect(code(await request(t.url, "127.0.0.12", "slk_wrong_4", ME))).toBe("UNAUTHENTICATED");
    expect((await request(t.url, "127.0.0.12", fresh, ME)).data).toBeTruthy();
  });

  it("closes a WebSocket with a wrong key from an address refused for failed authentications (4429)", async () => {
    const from = "127.0.0.13";
    for (let i = 0; i < 3; i++) {
      const wrong = await rawWs(t.wsUrl, { from, init: { apiKey: `slk_wrong_${i}` } });
      expect(wrong.close?.code).toBe(4403);
    }
    const limited = await rawWs(t.wsUrl, { from, init: { apiKey: "slk_wrong_3" } });
    expect(limited.close?.code).toBe(4429);
    expect(limited.close?.reason).toMatch(/failed authentications.*Retry after \d+ s/);
    // The HTTP side of the same address is refused too.
    expect(code(await request(t.url, from, "slk_wrong_4", ME))).toBe("RATE_LIMITED");
  });

  it("gives every API key its own request budget", async () => {
    const from = "127.0.0.21";
    const a = await tenant.keyFor(Role.VIEWER);
    const b = (await t.tenant()).apiKey;
    for (let i = 0; i < 5; i++) expect((await request(t.url, from, a, ME)).status).toBe(200);
    const limited = await request(t.url, from, a, ME);
    expect([limited.status, code(limited)]).toEqual([429, "RATE_LIMITED"]);
    expect(limited.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(60);
    expect(limited.errors![0].message).toMatch(/API key/);
    expect((await request(t.url, from, b, ME)).status).toBe(200);
  });

  it("counts runs started per key in a stricter budget, root field by root field", async () => {
    const from = "127.0.0.31";
    const { apiKey } = await t.tenant();
    const run = `mutation($id: ID!) { runAnalysis(id: $id) { id } }`;
    // The budget is spent before the resolver runs: an unknown analysis still counts.
    for (let i = 0; i < 2; i++)
      expect(code(await request(t.url, from, apiKey, { query: run, variables: { id: randomUUID() } }))).toBe(
        "NOT_FOUND",
      );
    const limited = await request(t.url, from, apiKey, { query: run, variables: { id: randomUUID() } });
    expect([limited.status, code(limited)]).toEqual([429, "RATE_LIMITED"]);
    expect(limited.retryAfterHeader).toMatch(/^\d+$/);
    // Reading is a separate budget.
    expect((await request(t.url, from, apiKey, ME)).status).toBe(200);

    const other = (await t.tenant()).apiKey;
    const three = `mutation { a: runScenario(id: "${randomUUID()}") { id } b: runScenario(id: "${randomUUID()}") { id } c: runScenario(id: "${randomUUID()}") { id } }`;
    expect(code(await request(t.url, from, other, { query: three }))).toBe("RATE_LIMITED");
  });

  it("bounds the requests of one address whatever the keys, also on the REST routes", async () => {
    const from = "127.0.0.41";
    // Without a key: no failed authentication (nothing was guessed), only the address budget.
    for (let i = 0; i < 20; i++)
      expect(code(await request(t.url, from, undefined, ME))).toBe("UNAUTHENTICATED");
    const limited = await request(t.url, from, undefined, ME);
    expect([limited.status, code(limited)]).toEqual([429, "RATE_LIMITED"]);
    expect(limited.errors![0].message).toMatch(/address/);
    const csv = await request(new URL(`/runs/${randomUUID()}/results.csv`, t.url).href, from, tenant.apiKey);
    expect([csv.status, csv.code]).toEqual([429, "RATE_LIMITED"]);
    expect(csv.retryAfterHeader).toBe(String(csv.retryAfter));
    // Health checks are never limited.
    expect((await fetch(new URL("/healthz", t.url))).status).toBe(200);
  });

  it("counts refusals in /metrics by budget", async () => {
    // Its own address: exhaust the failed-authentication budget, so the count does not lean on other tests.
    const from = "127.0.0.61";
    for (let i = 0; i <= (budgets.authFailures ?? 3); i++) await request(t.url, from, `slk_wrong_${i}`, ME);
    const text = await (await fetch(new URL("/metrics", t.url))).text();
    expect(text).toMatch(/scenariolab_rate_limited_total\{budget="auth_failures",transport="http"\} [1-9]/);
  });
});

describe.skipIf(!process.env.REDIS_URL)("rate limits shared by two API instances over Redis", () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    // Both instances share the counters' store and key prefix, as instances of one deployment do.
    const shared = hardening({
      ...budgets,
      redisUrl: process.env.REDIS_URL,
      keyPrefix: `test:${randomUUID()}`,
    });
    [a, b] = await Promise.all([
      startTestServer(pglite, { hardening: shared }),
      startTestServer(pglite, { hardening: shared }),
    ]);
  });
  afterAll(() => Promise.all([a?.dispose(), b?.dispose()]));

  it("counts failed authentications on either instance against one budget", async () => {
    const from = "127.0.0.51";
    expect(code(await request(a.url, from, "slk_wrong_0", ME))).toBe("UNAUTHENTICATED");
    expect(code(await request(b.url, from, "slk_wrong_1", ME))).toBe("UNAUTHENTICATED");
    expect(code(await request(a.url, from, "slk_wrong_2", ME))).toBe("UNAUTHENTICATED");
    expect(code(await request(b.url, from, "slk_wrong_3", ME))).toBe("RATE_LIMITED");
    expect(code(await request(a.url, from, "slk_wrong_4", ME))).toBe("RATE_LIMITED");
  });

  it("counts the requests of one address on either instance against one budget", async () => {
    const from = "127.0.0.52";
    for (let i = 0; i < 20; i++)
      expect(code(await request(i % 2 ? a.url : b.url, from, undefined, ME))).toBe("UNAUTHENTICATED");
    expect(code(await request(a.url, from, undefined, ME))).toBe("RATE_LIMITED");
    expect(code(await request(b.url, from, undefined, ME))).toBe("RATE_LIMITED");
  });
});
