import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/modules/auth/auth.service.js";
import { Role } from "../../src/modules/auth/principal.js";
import { mm1 } from "../fixtures/models.js";
import { backends } from "../helpers/backends.js";
import { killLeftovers, startServe } from "../helpers/process.js";
import { rawWs, type RawOutcome } from "../helpers/raw-ws.js";
import { createScenario, record } from "../helpers/scenarios.js";
import { startTestServer, testHardening, type TestServer, type TestTenant } from "../helpers/server.js";

describe.each(backends())("WebSocket hygiene on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  let scenarioId: string;
  const open: RawOutcome[] = [];
  beforeAll(async () => {
    const h = testHardening();
    t = await startTestServer(backend, {
      hardening: {
        ...h,
        ws: {
          initTimeoutMs: 300,
          maxPayloadBytes: 4096,
          maxSubscriptionsPerSocket: 2,
          maxConnectionsPerKey: 2,
          keyRecheckSeconds: 1,
          connectionLeaseSeconds: 30,
        },
      },
    });
    tenant = await t.tenant();
    ({ scenarioId } = await createScenario(t, tenant.apiKey, mm1()));
  });
  afterAll(async () => {
    for (const o of open) o.socket.close();
    await t.dispose();
  });

  const connect = async (apiKey: string) => {
    const outcome = await rawWs(t.wsUrl, { init: { apiKey } });
    open.push(outcome);
    return outcome;
  };
  /** A key of its own, with its id (keys of a tenant's test helper share one user). */
  const newKey = async (role = Role.VIEWER) =>
    createApiKey(t.db.database.prisma, {
      tenant: tenant.tenantId,
      email: `ws-${Math.random().toString(36).slice(2, 8)}@example.test`,
      role,
    });

  it("closes a socket that sends no connection_init (4408)", async () => {
    const silent = await rawWs(t.wsUrl, { init: null });
    expect(silent.acked).toBe(false);
    expect(silent.close).toEqual({ code: 4408, reason: "Connection initialisation timeout" });
    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(metrics).toMatch(/scenariolab_ws_closed_total\{reason="init_timeout"\} [1-9]/);
  });

  it("closes a socket that sends a message larger than the limit (1009)", async () => {
    const { apiKey } = await newKey();
    const socket = await connect(apiKey);
    expect(socket.acked).toBe(true);
    const query = `subscription { scenarioProgress(scenarioId: "${scenarioId}") { state } } #${"x".repeat(5000)}`;
    socket.socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
    expect((await socket.closed).code).toBe(1009);
    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(metrics).toMatch(/scenariolab_ws_closed_total\{reason="payload_too_large"\} [1-9]/);
  });

  it("answers an operation beyond the subscriptions allowed on one socket with RATE_LIMITED", async () => {
    const client = t.ws(tenant.apiKey);
    const first = record(client, { scenarioId });
    const second = record(client, { scenarioId });
    await Promise.all([first.until(() => true), second.until(() => true)]);
    const third = record(client, { scenarioId });
    await expect.poll(() => third.errors.length).toBeGreaterThan(0);
    expect(third.errors).toMatchObject([
      [{ extensions: { code: "RATE_LIMITED" }, message: expect.stringMatching(/at most 2/) }],
    ]);
    expect(third.events).toEqual([]);
    // Completing one makes room for another.
    first.stop();
    const fourth = record(client, { scenarioId });
    expect((await fourth.until(() => true)).scenarioId).toBe(scenarioId);
  });

  it("bounds the open sockets of one API key (4429), not those of other keys", async () => {
    const { apiKey } = await newKey();
    expect((await connect(apiKey)).acked).toBe(true);
    expect((await connect(apiKey)).acked).toBe(true);
    const third = await connect(apiKey);
    expect(third.close?.code).toBe(4429);
    expect(third.close?.reason).toMatch(/connections for this API key/);
    expect((await connect((await newKey()).apiKey)).acked).toBe(true);
  });

  it("closes the sockets of a key revoked through the API (4403)", async () => {
    const key = await newKey(Role.EDITOR);
    const socket = await connect(key.apiKey);
    expect(socket.acked).toBe(true);
    const revoked = await t.gql(tenant.apiKey, `mutation($id: ID!) { revokeApiKey(id: $id) }`, {
      id: key.apiKeyId,
    });
    expect(revoked.errors).toBeUndefined();
    expect(await socket.closed).toEqual({ code: 4403, reason: "API key revoked" });
  });

  it("closes the sockets of a key revoked elsewhere (another instance, the CLI) at the next check", async () => {
    const key = await newKey();
    const socket = await connect(key.apiKey);
    const bystander = await connect((await newKey()).apiKey);
    await t.db.database.prisma.apiKey.update({ where: { id: key.apiKeyId }, data: { isDeleted: true } });
    expect(await socket.closed).toEqual({ code: 4403, reason: "API key revoked" });
    expect(bystander.close).toBeUndefined();
  });
});

describe.skipIf(!process.env.REDIS_URL)("revocation across API instances over Redis", () => {
  let a: TestServer;
  let b: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    const h = testHardening();
    // The periodic check is out of the picture: only the announcement can close b's socket in time.
    const hardening = { ...h, ws: { ...h.ws, keyRecheckSeconds: 3600 } };
    a = await startTestServer(backends()[0], { hardening, redisUrl: process.env.REDIS_URL });
    b = await startTestServer(backends()[0], {
      hardening,
      redisUrl: process.env.REDIS_URL,
      sharedDatabase: a.db,
    });
    tenant = await a.tenant();
  });
  afterAll(async () => {
    await b?.dispose();
    await a?.dispose();
  });

  it("closes the key's sockets on the other instance at once (4403), and no one else's", async () => {
    const key = await createApiKey(a.db.database.prisma, {
      tenant: tenant.tenantId,
      email: "revoked-elsewhere@example.test",
      role: Role.VIEWER,
    });
    const other = await createApiKey(a.db.database.prisma, {
      tenant: tenant.tenantId,
      email: "bystander@example.test",
      role: Role.VIEWER,
    });
    const onB = await rawWs(b.wsUrl, { init: { apiKey: key.apiKey } });
    const bystander = await rawWs(b.wsUrl, { init: { apiKey: other.apiKey } });
    expect([onB.acked, bystander.acked]).toEqual([true, true]);
    const revoked = await a.gql(tenant.apiKey, `mutation($id: ID!) { revokeApiKey(id: $id) }`, {
      id: key.apiKeyId,
    });
    expect(revoked.errors).toBeUndefined();
    expect(await onB.closed).toEqual({ code: 4403, reason: "API key revoked" });
    expect(bystander.close).toBeUndefined();
    // Nor can the revoked key open a new socket there.
    const again = await rawWs(b.wsUrl, { init: { apiKey: key.apiKey } });
    expect(again.acked).toBe(false);
    expect(again.close?.code).toBe(4403);
    bystander.socket.close();
  });
});
const postgres = backends().find((b) => b.name === "postgres");

describe.skipIf(!process.env.REDIS_URL || !postgres)(
  "open sockets per API key across two API instances sharing Redis",
  () => {
    let t: TestServer;
    let dataDir: string;
    const open: RawOutcome[] = [];
    const MAX = 2;
    // Short leases: the sockets of an instance that died stop counting within a few seconds.
    const LEASE_SECONDS = 2;
    beforeAll(async () => {
      const h = testHardening();
      t = await startTestServer(postgres!, {
        hardening: {
          ...h,
          rate: { ...h.rate, redisUrl: process.env.REDIS_URL },
          ws: { ...h.ws, maxConnectionsPerKey: MAX, connectionLeaseSeconds: LEASE_SECONDS },
        },
      });
      dataDir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-ws-"));
    });
    afterEach(async () => {
      for (const o of open.splice(0)) o.socket.close();
      await killLeftovers();
    });
    afterAll(async () => {
      await t?.dispose();
      await rm(dataDir, { recursive: true, force: true });
    });

    /** The other instance: `scenariolab serve` over the same database and Redis. */
    const other = () =>
      startServe({
        DATA_DIR: dataDir,
        DATABASE_URL: t.db.url!,
        REDIS_URL: process.env.REDIS_URL!,
        WS_MAX_CONNECTIONS_PER_KEY: String(MAX),
        WS_CONNECTION_LEASE_SECONDS: String(LEASE_SECONDS),
      });
    const connect = async (wsUrl: string, apiKey: string) => {
      const outcome = await rawWs(wsUrl, { init: { apiKey } });
      open.push(outcome);
      return outcome;
    };

    it("refuses a socket on one instance when the key's sockets on the other use up the bound", async () => {
      const { apiKey } = await t.tenant();
      const serve = await other();
      const otherWs = serve.url.replace(/^http/, "ws");
      const first = await connect(otherWs, apiKey);
      expect(first.acked).toBe(true);
      expect((await connect(t.wsUrl, apiKey)).acked).toBe(true);
      const third = await connect(t.wsUrl, apiKey);
      expect(third.close?.code).toBe(4429);
      expect((await connect(otherWs, apiKey)).close?.code).toBe(4429);
      // A socket closed on one instance makes room on the other.
      first.socket.close();
      await first.closed;
      await expect.poll(async () => (await connect(t.wsUrl, apiKey)).acked, { timeout: 10_000 }).toBe(true);
      // Another key is not affected.
      expect((await connect(otherWs, (await t.tenant()).apiKey)).acked).toBe(true);
    });

    it("stops counting the sockets of an instance that died once their leases expire", async () => {
      const { apiKey } = await t.tenant();
      const serve = await other();
      const otherWs = serve.url.replace(/^http/, "ws");
      expect((await connect(otherWs, apiKey)).acked).toBe(true);
      // A live socket of the same key here keeps renewing the key's count in Redis.
      expect((await connect(t.wsUrl, apiKey)).acked).toBe(true);
      expect((await connect(t.wsUrl, apiKey)).close?.code).toBe(4429);
      // Killed: it removes nothing from Redis; its socket's lease is no longer renewed.
      serve.child.kill("SIGKILL");
      await serve.exited;
      await expect
        .poll(async () => (await connect(t.wsUrl, apiKey)).acked, { timeout: 20_000, interval: 500 })
        .toBe(true);
      // The two live sockets here still count.
      expect((await connect(t.wsUrl, apiKey)).close?.code).toBe(4429);
    });
  },
);
