import { copyFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { drawioFile, loopDrawio } from "../../src/import/testing.js";
import { backends } from "../helpers/backends.js";
import {
  cliEnvironment,
  killLeftovers,
  runCli,
  startServe,
  type CliEnvironment,
} from "../helpers/process.js";

const EXAMPLES = fileURLToPath(new URL("../fixtures/quodsi-examples/", import.meta.url));

// The first test starts five processes that each open the database (tens of seconds apiece on a busy machine).
const PROCESS_TIMEOUT = 600_000;

afterEach(killLeftovers);

describe.each(backends())("scenariolab import-model on $name", { timeout: PROCESS_TIMEOUT }, (backend) => {
  let cli: CliEnvironment;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    cli = await cliEnvironment(backend, "scenariolab-import-");
    ({ env, dir } = cli);
  });
  afterAll(() => cli.dispose());

  it("imports a legacy JSON file and a draw.io file, prints {modelId}, and the models are there over HTTP", async () => {
    const tenant = await runCli(
      ["create-tenant", "--name", "Importers", "--admin-email", "a@importers.test"],
      env,
    );
    expect(tenant.code, tenant.stderr).toBe(0);
    const { apiKey } = JSON.parse(tenant.stdout.trim()) as { apiKey: string };

    const legacyFile = path.join(dir, "coffee.json");
    await copyFile(path.join(EXAMPLES, "agent-models/01-coffee-shop/model.json"), legacyFile);
    const legacy = await runCli(["import-model", "--tenant", "importers", "--file", legacyFile], env);
    expect(legacy.code, legacy.stderr).toBe(0);
    const lines = legacy.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const first = JSON.parse(lines[0]) as { modelId: string };
    expect(Object.keys(first)).toEqual(["modelId"]);

    const drawio = path.join(dir, "paint.drawio");
    await writeFile(drawio, loopDrawio());
    const second = await runCli(
      ["import-model", "--tenant", "importers", "--file", drawio, "--name", "Paint shop"],
      env,
    );
    expect(second.code, second.stderr).toBe(0);
    const { modelId } = JSON.parse(second.stdout.trim()) as { modelId: string };

    const unknownTenant = await runCli(["import-model", "--tenant", "nobody", "--file", legacyFile], env);
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toMatch(/Tenant nobody not found/);

    const serve = await startServe(env, PROCESS_TIMEOUT);
    try {
      const res = await fetch(serve.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey },
        body: JSON.stringify({
          query: `{ a: model(id: "${first.modelId}") { name source { format schemaVersion upConverted } definition }
                    b: model(id: "${modelId}") { name source { format } createdBy { email } } }`,
        }),
      });
      const body = (await res.json()) as { data: Record<string, Record<string, unknown>> };
      expect(body.data.a).toMatchObject({
        name: "Coffee Shop",
        source: { format: "QUODSI_JSON", schemaVersion: "2026.08.20", upConverted: true },
        definition: { schemaVersion: "2026.11.01" },
      });
      expect(body.data.b).toEqual({
        name: "Paint shop",
        source: { format: "DRAWIO" },
        createdBy: { email: "a@importers.test" },
      });
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exited;
    }
  });

  it("refuses a broken file with its problems on stderr (exit 1), before opening a database; bad usage exits 2", async () => {
    const broken = path.join(dir, "broken.drawio");
    await writeFile(
      broken,
      drawioFile(
        {
          schemaVersion: "2026.12.01",
          name: "m",
          timeUnit: "minutes",
          runTime: { unit: "minutes", value: 5 },
        },
        [{ id: "act", type: "Activity", raw: "{oops" }],
      ),
    );
    // Tenant "anyone" does not exist: the file is refused (not "not found") before the tenant is looked up.
    const res = await runCli(["import-model", "--tenant", "anyone", "--file", broken], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain("definition.diagram[0].cell[act].quodsiData: is not valid JSON");

    const missing = await runCli(
      ["import-model", "--tenant", "anyone", "--file", path.join(dir, "nope.json")],
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --file/);
    expect((await runCli(["import-model", "--file", broken], env)).code).toBe(2);
    const badFormat = await runCli(
      ["import-model", "--tenant", "anyone", "--file", broken, "--format", "XLS"],
      env,
    );
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be QUODSI_JSON or DRAWIO/);
  });
});
