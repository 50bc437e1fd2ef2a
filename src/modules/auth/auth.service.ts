import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { AppError, ErrorCode, badInput, conflict, notFound } from "../../errors.js";
import { uniqueViolation } from "../../db/errors.js";
import { isUuid } from "../../db/ids.js";
import { roleFromDb, roleToDb, type Principal, Role } from "./principal.js";

const KEY_PREFIX = "slk_";

/** API keys are stored as SHA-256 hashes; the key itself is shown once. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function newApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

/** Reads the key from `x-api-key` or `Authorization: Bearer`. */
export function apiKeyFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const direct = headers["x-api-key"];
  if (typeof direct === "string" && direct.trim()) return direct.trim();
  const auth = headers["authorization"];
  if (typeof auth === "string") {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1].trim();
  }
  return undefined;
}

/** Resolves an API key to its principal, or throws UNAUTHENTICATED. One statement. */
export async function authenticate(prisma: PrismaClient, key: string | undefined): Promise<Principal> {
  if (!key)
    throw new AppError(
      ErrorCode.UNAUTHENTICATED,
      "An API key is required (x-api-key or Authorization: Bearer)",
    );
  if (key.length > 200) throw new AppError(ErrorCode.UNAUTHENTICATED, "Invalid API key");
  // One statement on every request: the key, its user and tenant must all be live.
  const [row] = await prisma.$queryRaw<{ id: string; tenant_id: string; user_id: string; role: string }[]>`
    SELECT k.id, k.tenant_id, k.user_id, k.role
    FROM api_keys k
    JOIN users u ON u.id = k.user_id AND NOT u.is_deleted
    JOIN tenants t ON t.id = k.tenant_id AND NOT t.is_deleted
    WHERE k.key_hash = ${hashApiKey(key)} AND NOT k.is_deleted`;
  if (!row) throw new AppError(ErrorCode.UNAUTHENTICATED, "Invalid API key");
  return { tenantId: row.tenant_id, userId: row.user_id, apiKeyId: row.id, role: roleFromDb(row.role) };
}

/**
 * Of the given key ids, those whose key, user and tenant are all still live.
 * Open WebSocket connections authenticated with any other key are closed: a
 * revoked key must not keep a socket alive. One statement for all of them.
 */
export async function liveApiKeyIds(prisma: PrismaClient, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await prisma.apiKey.findMany({
    where: {
      id: { in: [...ids] },
      isDeleted: false,
      user: { isDeleted: false },
      tenant: { isDeleted: false },
    },
    select: { id: true },
  });
  return new Set(rows.map((r) => r.id));
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 100) || "tenant"
  );
}

function checkEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed) || trimmed.length > 320)
    throw badInput("Invalid email", [{ path: "email", message: "must be an email address" }]);
  return trimmed;
}

export interface CreatedKey {
  tenantId: string;
  userId: string;
  apiKeyId: string;
  apiKey: string;
}

/** Creates a tenant with an admin user and returns the admin's new API key. */
export async function createTenant(
  prisma: PrismaClient,
  input: { name: string; slug?: string; adminEmail: string },
): Promise<CreatedKey> {
  const name = input.name.trim();
  if (!name || name.length > 200)
    throw badInput("Invalid tenant name", [{ path: "name", message: "must be 1 to 200 characters" }]);
  const slug = input.slug ?? slugify(name);
  if (!SLUG.test(slug))
    throw badInput("Invalid tenant slug", [
      { path: "slug", message: "lowercase letters, digits and dashes" },
    ]);
  const email = checkEmail(input.adminEmail);
  const id = randomUUID();
  const apiKey = newApiKey();
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.tenant.create({ data: { id, tenantId: id, name, slug } });
      const user = await tx.user.create({ data: { tenantId: id, email, role: roleToDb(Role.ADMIN) } });
      const key = await tx.apiKey.create({
        data: {
          tenantId: id,
          userId: user.id,
          keyHash: hashApiKey(apiKey),
          keyPrefix: apiKey.slice(0, 10),
          role: roleToDb(Role.ADMIN),
        },
      });
      return { tenantId: id, userId: user.id, apiKeyId: key.id, apiKey };
    });
  } catch (err) {
    if (uniqueViolation(err))
      throw conflict(`A tenant with slug "${slug}" already exists`, [
        { path: "slug", message: "already taken" },
      ]);
    throw err;
  }
}

/** Creates an API key for a user of the tenant (given by id or slug), creating the user if missing. */
export async function createApiKey(
  prisma: PrismaClient,
  input: { tenant: string; email: string; role: Role; displayName?: string },
): Promise<CreatedKey> {
  const email = checkEmail(input.email);
  if (!Object.values(Role).includes(input.role)) {
    throw badInput("Invalid role", [
      { path: "role", message: `must be one of ${Object.values(Role).join(", ")}` },
    ]);
  }
  const tenant = await prisma.tenant.findFirst({
    where: { isDeleted: false, ...(isUuid(input.tenant) ? { id: input.tenant } : { slug: input.tenant }) },
  });
  if (!tenant) throw notFound("Tenant", input.tenant);
  const apiKey = newApiKey();
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { tenantId_email: { tenantId: tenant.id, email } },
      create: { tenantId: tenant.id, email, role: roleToDb(input.role), displayName: input.displayName },
      update: {},
    });
    const key = await tx.apiKey.create({
      data: {
        tenantId: tenant.id,
        userId: user.id,
        keyHash: hashApiKey(apiKey),
        keyPrefix: apiKey.slice(0, 10),
        role: roleToDb(input.role),
      },
    });
    return { tenantId: tenant.id, userId: user.id, apiKeyId: key.id, apiKey };
  });
}
