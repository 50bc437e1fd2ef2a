import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/modules/auth/principal.js";
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  MeDocument,
  RevokeApiKeyDocument,
  UsersDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

describe.each(backends())("users and API keys on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant("Keys Inc");
  });
  afterAll(() => t.dispose());

  it("lets an ADMIN create a key that works, list it, and revoke it", async () => {
    const created = await t.gql(tenant.apiKey, CreateApiKeyDocument, {
      input: { email: "analyst@keys.test", role: "EDITOR", displayName: "Ana" },
    });
    expect(created.errors).toBeUndefined();
    const { apiKey, key } = created.data!.createApiKey;
    expect(key).toMatchObject({ role: "EDITOR", revoked: false, user: { email: "analyst@keys.test" } });
    expect(apiKey.startsWith(key.prefix)).toBe(true);
    expect((await t.gql(apiKey, MeDocument)).data?.me).toMatchObject({ email: "analyst@keys.test" });
    expect((await t.gql(tenant.apiKey, UsersDocument)).data?.users.map((u) => u.email)).toContain(
      "analyst@keys.test",
    );

    expect((await t.gql(tenant.apiKey, RevokeApiKeyDocument, { id: key.id })).data?.revokeApiKey).toBe(true);
    const refused = await t.gql(apiKey, MeDocument);
    expect([refused.status, codes(refused)]).toEqual([401, ["UNAUTHENTICATED"]]);
    expect(
      (await t.gql(tenant.apiKey, ApiKeysDocument)).data?.apiKeys.find((k) => k.id === key.id)?.revoked,
    ).toBe(true);
  });

  it("refuses user and key management to an EDITOR", async () => {
    const editor = await tenant.keyFor(Role.EDITOR);
    expect(codes(await t.gql(editor, UsersDocument))).toEqual(["FORBIDDEN"]);
    expect(
      codes(await t.gql(editor, CreateApiKeyDocument, { input: { email: "x@keys.test", role: "ADMIN" } })),
    ).toEqual(["FORBIDDEN"]);
  });

  it("refuses a bad email, a key revoking itself, and another tenant's key", async () => {
    expect(
      codes(
        await t.gql(tenant.apiKey, CreateApiKeyDocument, {
          input: { email: "not-an-email", role: "VIEWER" },
        }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);
    const own = (await t.gql(tenant.apiKey, ApiKeysDocument)).data!.apiKeys[0].id;
    expect(codes(await t.gql(tenant.apiKey, RevokeApiKeyDocument, { id: own }))).toEqual(["INVALID_STATE"]);
    const other = await t.tenant();
    expect(codes(await t.gql(other.apiKey, RevokeApiKeyDocument, { id: own }))).toEqual(["NOT_FOUND"]);
    expect(codes(await t.gql(tenant.apiKey, RevokeApiKeyDocument, { id: "not-a-uuid" }))).toEqual([
      "NOT_FOUND",
    ]);
    expect((await t.gql(tenant.apiKey, MeDocument)).data?.me.role).toBe("ADMIN");
  });
});
