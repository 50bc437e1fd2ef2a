import type { Loaders } from "../db/loaders.js";
import type { TenantDb } from "../db/tenant.js";
import type { Logger } from "../logger.js";
import type { Principal } from "./auth/principal.js";

/** What every per-request service gets: the tenant's database, loaders and caller. */
export interface ServiceDeps {
  db: TenantDb;
  loaders: Loaders;
  principal: Principal;
  logger: Logger;
}

/** Scenario states in which a run is under way; inputs are frozen then. */
export const ACTIVE_STATES = ["queued", "is_running", "cancelling"];
