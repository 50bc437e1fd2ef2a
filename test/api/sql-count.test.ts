import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AnalysisTreeDocument,
  CreateAnalysisDocument,
  CreateModelDocument,
  CreateScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop } from "../fixtures/models.js";

describe.each(backends())("nested queries without N+1 on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  async function analysisWith(scenarios: number, overridesEach: number): Promise<string> {
    const modelId = (
      await t.gql(tenant.apiKey, CreateModelDocument, {
        input: { name: `M${scenarios}`, definition: coffeeShop() },
      })
    ).data!.createModel.id;
    const analysisId = (
      await t.gql(tenant.apiKey, CreateAnalysisDocument, { input: { modelId, name: `A${scenarios}` } })
    ).data!.createAnalysis.id;
    for (let i = 0; i < scenarios; i++) {
      const id = (
        await t.gql(tenant.apiKey, CreateScenarioDocument, { input: { analysisId, name: `S${i}` } })
      ).data!.createScenario.id;
      // Item profiles written directly: this test is about reading them.
      for (let j = 0; j < overridesEach; j++) {
        await t.db.database.prisma.scenarioItemProfile.create({
          data: {
            tenantId: tenant.tenantId,
            scenarioId: id,
            targetObjectId: "barista",
            targetObjectType: "resource",
            propertyName: `p${j}`,
            propertyValue: j,
          },
        });
      }
    }
    return analysisId;
  }

  async function statementsFor(analysisId: string): Promise<number> {
    let count = 0;
    const stop = t.db.database.onQuery((sql) => {
      count++;
      if (process.env.SHOW_SQL) process.stderr.write(`SQL: ${sql.slice(0, 160)}\n`);
    });
    const res = await t.gql(tenant.apiKey, AnalysisTreeDocument, { id: analysisId });
    stop();
    expect(res.errors).toBeUndefined();
    return count;
  }

  it("takes the same small number of statements for 2 and for 40 scenarios (auth included)", async () => {
    const small = await analysisWith(2, 2);
    const large = await analysisWith(40, 2);
    const smallCount = await statementsFor(small);
    const largeCount = await statementsFor(large);
    expect(largeCount).toBe(smallCount);
    expect(largeCount).toBeLessThanOrEqual(6);
    const tree = await t.gql(tenant.apiKey, AnalysisTreeDocument, { id: large });
    expect(tree.data?.analysis?.scenarios.edges).toHaveLength(40);
    expect(tree.data?.analysis?.scenarios.edges.every((e) => e.node.itemProfiles.length === 2)).toBe(true);
  });
});
