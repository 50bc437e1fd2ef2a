import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../src/generated/prisma/client.js";

/** A new tenant with a user, an (empty) model and an analysis under it, written directly: the ids. */
export async function seedAnalysis(
  prisma: PrismaClient,
): Promise<{ tenantId: string; userId: string; modelId: string; analysisId: string }> {
  const tenantId = randomUUID();
  await prisma.tenant.create({ data: { id: tenantId, tenantId, name: "T", slug: `t-${tenantId}` } });
  const user = await prisma.user.create({ data: { tenantId, email: "a@t.test" } });
  const model = await prisma.model.create({
    data: { tenantId, name: "M", definition: {}, createdByUserId: user.id },
  });
  const analysis = await prisma.analysis.create({
    data: { tenantId, modelId: model.id, name: "A", createdByUserId: user.id },
  });
  return { tenantId, userId: user.id, modelId: model.id, analysisId: analysis.id };
}
