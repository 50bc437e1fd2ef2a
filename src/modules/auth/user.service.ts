import type { ServiceDeps } from "../deps.js";
import { toTenant, toUser, type Tenant, type User } from "./user.type.js";

export class UserService {
  constructor(private readonly deps: ServiceDeps) {}

  async me(): Promise<User> {
    return this.byId(this.deps.principal.userId);
  }

  /** A user of this tenant by id; users referenced by rows always exist (cascading deletes). */
  async byId(id: string): Promise<User> {
    const row = await this.deps.loaders.user.load(id);
    if (!row) throw new Error(`user ${id} referenced but missing`);
    return toUser(row);
  }

  async tenant(): Promise<Tenant> {
    return toTenant(
      await this.deps.db.tenant.findUniqueOrThrow({ where: { id: this.deps.principal.tenantId } }),
    );
  }
}
