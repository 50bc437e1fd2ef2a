import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/modules/auth/principal.js";
import { CreateModelDocument, ListModelsDocument, MeDocument } from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop } from "../fixtures/models.js";

describe.each(backends())("authentication and roles on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant("Acme");
  });
  afterAll(() => t.dispose());

  it("answers `me` for a valid x-api-key", async () => {
    const res = await t.gql(tenant.apiKey, MeDocument);
    expect(res.data?.me).toMatchObject({ role: "ADMIN", tenant: { name: "Acme", slug: "acme" } });
  });

  it("accepts Authorization: Bearer", async () => {
    const res = await t.gql(undefined, MeDocument, {}, { authorization: `Bearer ${tenant.apiKey}` });
    expect(res.data?.me.tenant.id).toBe(tenant.tenantId);
  });

  it("answers a query sent with GET", async () => {
    const url = `${t.url}?query=${encodeURIComponent("{ me { tenant { slug } } }")}`;
    const res = await fetch(url, { headers: { "x-api-key": tenant.apiKey } });
    expect(await res.json()).toEqual({ data: { me: { tenant: { slug: "acme" } } } });
  });

  it("refuses a request without a key with 401 UNAUTHENTICATED", async () => {
    const res = await t.gql(undefined, MeDocument);
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses an unknown key", async () => {
    const res = await t.gql("slk_not-a-real-key", MeDocument);
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
  });

  it("stores only a hash of the key", async () => {
    const rows = await t.db.database.prisma.apiKey.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.keyHash).not.toContain(tenant.apiKey.slice(4, 20));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.keyHash))).toBe(true);
  });

  it("lets a VIEWER read but not write, and writes nothing", async () => {
    // A tenant of its own: other tests write models into the shared one.
    const own = await t.tenant();
    const made = await t.gql(own.apiKey, CreateModelDocument, {
      input: { name: "Readable", definition: coffeeShop() },
    });
    expect(made.errors).toBeUndefined();
    const viewer = await own.keyFor(Role.VIEWER);
    expect((await t.gql(viewer, MeDocument)).data?.me.role).toBe("VIEWER");
    const res = await t.gql(viewer, CreateModelDocument, {
      input: { name: "Nope", definition: coffeeShop() },
    });
    expect(codes(res)).toEqual(["FORBIDDEN"]);
    const listed = await t.gql(viewer, ListModelsDocument, {});
    expect(listed.data?.models.edges.map((e) => e.node.name)).toEqual(["Readable"]);
  });

  it("lets an EDITOR write", async () => {
    const editor = await tenant.keyFor(Role.EDITOR);
    const res = await t.gql(editor, CreateModelDocument, {
      input: { name: "Shop", definition: coffeeShop() },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createModel.createdBy.email).toBe("editor@example.test");
  });

  it("answers queries over WebSocket with a valid key", async () => {
    const client = t.ws(tenant.apiKey);
    const result = await client.iterate({ query: "{ me { email tenant { slug } } }" }).next();
    expect(result.value).toMatchObject({ data: { me: { tenant: { slug: "acme" } } } });
  });

  it("refuses a WebSocket connection with a bad key at connect time", async () => {
    const client = t.ws("slk_wrong");
    const outcome = await client
      .iterate({ query: "{ me { email } }" })
      .next()
      .then(
        () => "accepted",
        (err: { code?: number }) => err.code,
      );
    expect(outcome).toBe(4403);
  });

  it("refuses a WebSocket connection without a key", async () => {
    const client = t.ws(undefined);
    const outcome = await client
      .iterate({ query: "{ me { email } }" })
      .next()
      .then(
        () => "accepted",
        (err: { code?: number }) => err.code,
      );
    expect(outcome).toBe(4403);
  });
});

describe("operational endpoints", () => {
  it("serve health, readiness and Prometheus metrics without a key", async () => {
    const t = await startTestServer(backends()[0]);
    try {
      const base = t.url.replace("/graphql", "");
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^scenariolab_runs_active 0$/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    } finally {
      await t.dispose();
    }
  });
});

describe("malformed requests", () => {
  it("answer broken JSON and oversized bodies with a GraphQL error", async () => {
    const t = await startTestServer(backends()[0]);
    const tenant = await t.tenant();
    try {
      const post = (body: string) =>
        fetch(t.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": tenant.apiKey },
          body,
        });
      const broken = await post("{ not json");
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_USER_INPUT" } }] });
      const huge = await post(
        JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(6 * 1024 * 1024) } }),
      );
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({
        errors: [{ message: "Request body larger than 5 MB", extensions: { code: "BAD_USER_INPUT" } }],
      });
    } finally {
      await t.dispose();
    }
  });
});
