import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateModelDocument,
  DeleteModelDocument,
  GetModelDocument,
  ListModelsDocument,
  UpdateModelDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop } from "../fixtures/models.js";

describe.each(backends())("models on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const modelCount = () => t.db.database.prisma.model.count({ where: { tenantId: tenant.tenantId } });
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  it("creates a model from the coffee-shop definition at version 1", async () => {
    const res = await t.gql(tenant.apiKey, CreateModelDocument, {
      input: { name: " Coffee ", description: "d", definition: coffeeShop() },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createModel).toMatchObject({ name: "Coffee", version: 1, definition: coffeeShop() });
  });

  it("bumps the version only when the definition changes", async () => {
    const created = (
      await t.gql(tenant.apiKey, CreateModelDocument, { input: { name: "V", definition: coffeeShop() } })
    ).data!.createModel;
    const renamed = await t.gql(tenant.apiKey, UpdateModelDocument, {
      id: created.id,
      input: { name: "V2", definition: coffeeShop() },
    });
    expect(renamed.data?.updateModel).toMatchObject({ name: "V2", version: 1 });
    const changed = await t.gql(tenant.apiKey, UpdateModelDocument, {
      id: created.id,
      input: { definition: { ...coffeeShop(), seed: 7 } },
    });
    expect(changed.data?.updateModel.version).toBe(2);
    expect((changed.data?.updateModel.definition as { seed: number }).seed).toBe(7);
  });

  const invalid: [string, unknown, string][] = [
    ["a JSON array", [1, 2], "definition"],
    ["a string", "model", "definition"],
    ["a model without activities and generators", { schemaVersion: "2026.11.01", name: "x" }, "definition"],
    [
      "a connector to a missing activity",
      { ...coffeeShop(), connectors: [{ id: "c", sourceId: "arrivals", targetId: "Nowhere", weight: 1 }] },
      "definition.connectors[0].targetId",
    ],
    [
      "a negative resource capacity",
      {
        ...coffeeShop(),
        resources: [
          { id: "cashier", name: "Cashier", capacity: -1 },
          { id: "barista", name: "Barista", capacity: 2 },
        ],
      },
      "definition.resources[0].capacity",
    ],
    [
      "duplicate ids",
      {
        ...coffeeShop(),
        entities: [
          { id: "customer", name: "A" },
          { id: "customer", name: "B" },
        ],
      },
      "definition.entities[1].id",
    ],
  ];
  it.each(invalid)(
    "refuses %s with BAD_USER_INPUT details and writes nothing",
    async (_label, definition, path) => {
      const before = await modelCount();
      const res = await t.gql(tenant.apiKey, CreateModelDocument, { input: { name: "Bad", definition } });
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      const paths = res.errors![0].extensions!.details!.map((d) => d.path);
      expect(paths.some((p) => p.startsWith(path))).toBe(true);
      expect(await modelCount()).toBe(before);
    },
  );

  it("reports every problem of a definition at once", async () => {
    const def = {
      ...coffeeShop(),
      resources: [
        { id: "cashier", capacity: -1 },
        { id: "barista", capacity: -2 },
      ],
    };
    const res = await t.gql(tenant.apiKey, CreateModelDocument, { input: { name: "Bad", definition: def } });
    const paths = res.errors![0].extensions!.details!.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(["definition.resources[0].capacity", "definition.resources[1].capacity"]),
    );
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["10 000 characters", "x".repeat(10_000)],
  ])("refuses a %s name", async (_label, name) => {
    const before = await modelCount();
    const res = await t.gql(tenant.apiKey, CreateModelDocument, {
      input: { name, definition: coffeeShop() },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details![0].path).toBe("input.name");
    expect(await modelCount()).toBe(before);
  });

  it("refuses an invalid new definition on update and keeps the old one", async () => {
    const created = (
      await t.gql(tenant.apiKey, CreateModelDocument, { input: { name: "Keep", definition: coffeeShop() } })
    ).data!.createModel;
    const res = await t.gql(tenant.apiKey, UpdateModelDocument, {
      id: created.id,
      input: { definition: { nope: true } },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    const after = await t.gql(tenant.apiKey, GetModelDocument, { id: created.id });
    expect(after.data?.model).toMatchObject({ version: 1, definition: coffeeShop() });
  });

  it("pages through models with cursors and a total count", async () => {
    const other = await t.tenant();
    for (let i = 0; i < 5; i++)
      await t.gql(other.apiKey, CreateModelDocument, {
        input: { name: `Page ${i}`, definition: coffeeShop() },
      });
    const first = await t.gql(other.apiKey, ListModelsDocument, { first: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.data?.models.totalCount).toBe(5);
    expect(first.data?.models.pageInfo.hasNextPage).toBe(true);
    const names: string[] = first.data!.models.edges.map((e) => e.node.name);
    let after = first.data!.models.pageInfo.endCursor;
    while (after) {
      const page = await t.gql(other.apiKey, ListModelsDocument, { first: 2, after });
      names.push(...page.data!.models.edges.map((e) => e.node.name));
      after = page.data!.models.pageInfo.hasNextPage ? page.data!.models.pageInfo.endCursor : null;
    }
    expect(names).toEqual(["Page 0", "Page 1", "Page 2", "Page 3", "Page 4"]);
    const filtered = await t.gql(other.apiKey, ListModelsDocument, { nameContains: "page 3" });
    expect(filtered.data?.models.edges.map((e) => e.node.name)).toEqual(["Page 3"]);
  });

  it.each([
    ["first: 100000", { first: 100_000 }],
    ["first: 0", { first: 0 }],
    ["a forged cursor", { after: "bm90LWEtY3Vyc29y" }],
  ])("refuses %s with BAD_USER_INPUT", async (_label, vars) => {
    expect(codes(await t.gql(tenant.apiKey, ListModelsDocument, vars))).toEqual(["BAD_USER_INPUT"]);
  });

  it("soft-deletes a model; it then reads as missing and cannot be deleted twice", async () => {
    const created = (
      await t.gql(tenant.apiKey, CreateModelDocument, { input: { name: "Gone", definition: coffeeShop() } })
    ).data!.createModel;
    expect((await t.gql(tenant.apiKey, DeleteModelDocument, { id: created.id })).data?.deleteModel).toBe(
      true,
    );
    expect((await t.gql(tenant.apiKey, GetModelDocument, { id: created.id })).data?.model).toBeNull();
    expect(codes(await t.gql(tenant.apiKey, DeleteModelDocument, { id: created.id }))).toEqual(["NOT_FOUND"]);
  });

  it("answers null for an unknown or malformed id and NOT_FOUND on mutations", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      expect((await t.gql(tenant.apiKey, GetModelDocument, { id })).data?.model).toBeNull();
      expect(codes(await t.gql(tenant.apiKey, UpdateModelDocument, { id, input: { name: "x" } }))).toEqual([
        "NOT_FOUND",
      ]);
    }
  });
});
