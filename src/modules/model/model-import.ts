import path from "node:path";
import { badInput, notFound } from "../../errors.js";
import { isUuid } from "../../db/ids.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import type { ModelFormat } from "../../import/index.js";
import type { ModelBounds } from "../../simulation/index.js";
import { roleToDb, Role } from "../auth/principal.js";
import { parseDefinition } from "./model.service.js";
import type { DefinitionWarning } from "./model.type.js";

/** Names are 1 to 200 characters (as CreateModelInput.name). */
const MAX_NAME = 200;

export interface ModelFile {
  /** The file's text: Quodsi JSON (clean or legacy) or a draw.io document. */
  text: string;
  /** The file's path: its base name is the model's name when neither --name nor the document gives one. */
  fileName: string;
  name?: string;
  format?: ModelFormat;
}

export interface ParsedModelFile {
  name: string;
  definition: ReturnType<typeof parseDefinition>;
}

/**
 * `scenariolab import-model`, first half (no database): converts and
 * validates the file as createModel does (same conversion, validation and
 * bounds) and picks the model's name: `--name`, else the document's own
 * name, else the file's base name.
 */
export function parseModelFile(file: ModelFile, bounds: ModelBounds): ParsedModelFile {
  const givenName = file.name?.trim();
  if (givenName !== undefined && (givenName.length === 0 || givenName.length > MAX_NAME))
    throw badInput("Invalid model name", [{ path: "name", message: `must be 1 to ${MAX_NAME} characters` }]);
  const definition = parseDefinition(file.text, bounds, "definition", file.format);
  const documentName = typeof definition.model.name === "string" ? definition.model.name.trim() : "";
  const name =
    givenName ||
    documentName.slice(0, MAX_NAME) ||
    path.basename(file.fileName, path.extname(file.fileName)).slice(0, MAX_NAME) ||
    "Imported model";
  return { name, definition };
}

/**
 * `scenariolab import-model`, second half: stores a parsed file as a model
 * of the tenant (id or slug), created by the tenant's first admin (the one
 * create-tenant made).
 */
export async function storeModelFile(
  prisma: PrismaClient,
  tenantRef: string,
  parsed: ParsedModelFile,
): Promise<{ modelId: string; warnings: DefinitionWarning[] }> {
  const tenant = await prisma.tenant.findFirst({
    where: { isDeleted: false, ...(isUuid(tenantRef) ? { id: tenantRef } : { slug: tenantRef }) },
  });
  if (!tenant) throw notFound("Tenant", tenantRef);
  const admin = await prisma.user.findFirst({
    where: { tenantId: tenant.id, isDeleted: false, role: roleToDb(Role.ADMIN) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  if (!admin) throw notFound("Admin user of tenant", tenantRef);
  const { stored, source, warnings } = parsed.definition;
  const row = await prisma.model.create({
    data: {
      tenantId: tenant.id,
      name: parsed.name,
      definition: stored,
      source: { ...source },
      createdByUserId: admin.id,
    },
  });
  return { modelId: row.id, warnings };
}
