import type { Logger } from "../logger.js";
import type { Principal } from "../modules/auth/principal.js";
import type { Services } from "../modules/services.js";

/** What every resolver receives, over HTTP and WebSocket alike. */
export interface AppContext {
  requestId: string;
  logger: Logger;
  principal: Principal;
  services: Services;
}
