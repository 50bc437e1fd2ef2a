import { readFile } from "node:fs/promises";
import type { Database } from "../db/client.js";
import { createLoaders } from "../db/loaders.js";
import { tenantScoped } from "../db/tenant.js";
import type { Logger } from "../logger.js";
import { createTenant } from "../modules/auth/auth.service.js";
import { Role } from "../modules/auth/principal.js";
import type { RunRuntime } from "../modules/deps.js";
import { createServices } from "../modules/services.js";
import { TargetObjectType } from "../modules/common/enums.js";
import { OverrideOperation } from "../modules/item-profile/item-profile.type.js";
import { projectPath } from "../paths.js";

export interface SeedResult {
  tenantId: string;
  apiKey: string;
}

/**
 * On an empty database: the `demo` tenant with an admin, the coffee-shop model
 * (Quodsi's public example), an analysis and three scenarios. Returns the demo
 * key, which exists only now (keys are stored hashed); undefined when not empty.
 */
export async function seedIfEmpty(
  database: Database,
  runtime: RunRuntime,
  logger: Logger,
): Promise<SeedResult | undefined> {
  if ((await database.prisma.tenant.count()) > 0) return undefined;
  const created = await createTenant(database.prisma, {
    name: "Demo",
    slug: "demo",
    adminEmail: "admin@demo.local",
  });
  const principal = {
    tenantId: created.tenantId,
    userId: created.userId,
    apiKeyId: created.apiKeyId,
    role: Role.ADMIN,
  };
  const db = tenantScoped(database.prisma, created.tenantId);
  const services = createServices({ db, loaders: createLoaders(db), principal, logger, runtime });
  const definition: unknown = JSON.parse(
    await readFile(projectPath("src", "seed", "coffee-shop.model.json"), "utf8"),
  );
  const model = await services.models.create({
    name: "Coffee Shop",
    description:
      "A cashier takes orders; baristas serve espresso (80%) and pastry (20%) customers. From the public Quodsi examples.",
    definition,
  });
  const analysis = await services.analyses.create({
    modelId: model.id,
    name: "Morning staffing",
    description: "How many baristas does the morning rush need?",
  });
  const create = (name: string, description: string) =>
    services.scenarios.create({ analysisId: analysis.id, name, description });
  await create("Baseline", "The shop as it is today");
  const extra = await create("Extra barista", "A third barista at the bar");
  await services.itemProfiles.override(extra.id, {
    targetObjectType: TargetObjectType.RESOURCE,
    targetObjectId: "barista",
    propertyName: "capacity",
    propertyValue: 3,
    changeReason: "Hire one more barista for the morning",
  });
  const busy = await create("Busy morning", "Customers arrive 25% more often");
  await services.itemProfiles.override(busy.id, {
    targetObjectType: TargetObjectType.GENERATOR,
    targetObjectId: "arrivals",
    propertyName: "interarrivalTime",
    propertyValue: 0.8,
    operation: OverrideOperation.MULTIPLY,
    changeReason: "Interarrival time × 0.8 = 25% more arrivals",
  });
  logger.info({ tenantId: created.tenantId }, "seeded the demo tenant");
  return { tenantId: created.tenantId, apiKey: created.apiKey };
}
