import { invalidState, notFound } from "../../errors.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { isUuid } from "../../db/ids.js";
import type { ServiceDeps } from "../deps.js";
import type { CreateApiKeyInput } from "./api-key.type.js";
import { toApiKey, type ApiKey, type CreatedApiKey } from "./api-key.type.js";
import { createApiKey } from "./auth.service.js";
import { toUser, type User } from "./user.type.js";

/** Users and API keys of the caller's tenant (ADMIN only; the resolver checks the role). */
export class ApiKeyService {
  constructor(private readonly deps: ServiceDeps) {}

  async users(): Promise<User[]> {
    return (
      await this.deps.db.user.findMany({
        where: { isDeleted: false },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      })
    ).map(toUser);
  }

  async keys(): Promise<ApiKey[]> {
    return (await this.deps.db.apiKey.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map(
      toApiKey,
    );
  }

  async forUser(userId: string): Promise<ApiKey[]> {
    return (
      await this.deps.db.apiKey.findMany({
        where: { userId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      })
    ).map(toApiKey);
  }

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    // The tenant-scoped client does what the CLI's plain client does, inside this tenant only.
    const created = await createApiKey(this.deps.db as unknown as PrismaClient, {
      tenant: this.deps.principal.tenantId,
      email: input.email,
      role: input.role,
      displayName: input.displayName,
    });
    const row = await this.deps.db.apiKey.findFirstOrThrow({ where: { id: created.apiKeyId } });
    return { apiKey: created.apiKey, key: toApiKey(row) };
  }

  /** Revokes a key at once; the key of the calling request cannot revoke itself (no lock-out by accident). */
  async revoke(id: string): Promise<boolean> {
    if (!isUuid(id)) throw notFound("API key", id);
    if (id === this.deps.principal.apiKeyId)
      throw invalidState("A key cannot revoke itself; use another admin key");
    const { count } = await this.deps.db.apiKey.updateMany({
      where: { id, isDeleted: false },
      data: { isDeleted: true },
    });
    if (count === 0 && !(await this.deps.db.apiKey.findFirst({ where: { id } })))
      throw notFound("API key", id);
    return true;
  }
}
