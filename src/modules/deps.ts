import type { RunLimits } from "../config.js";
import type { Loaders } from "../db/loaders.js";
import type { TenantDb } from "../db/tenant.js";
import type { Logger } from "../logger.js";
import type { AppPubSub } from "../pubsub/pubsub.js";
import type { RunProducer } from "../runner/driver.js";
import type { Principal } from "./auth/principal.js";

/**
 * Process-wide collaborators of the run lifecycle: where runs go, where events
 * are published, and what one run or model may ask for.
 */
export interface RunRuntime {
  driver: RunProducer;
  pubsub: AppPubSub;
  limits: RunLimits;
}

/** What every per-request service gets: the tenant's database, loaders, caller and runtime. */
export interface ServiceDeps {
  db: TenantDb;
  loaders: Loaders;
  principal: Principal;
  logger: Logger;
  runtime: RunRuntime;
}

/** Scenario states in which a run is under way; inputs are frozen then. */
export { DB_ACTIVE as ACTIVE_STATES } from "../lifecycle/index.js";
