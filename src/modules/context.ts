import type { Logger } from "../logger.js";
import type { Principal } from "./auth/principal.js";
import type { Services } from "./services.js";

/** What every resolver receives, over HTTP and WebSocket alike. */
export interface AppContext {
  requestId: string;
  logger: Logger;
  principal: Principal;
  services: Services;
}
