import { pino, type Logger } from "pino";

export type { Logger };

/** Structured JSON logger; children carry requestId / runId / tenantId in scope. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "scenariolab" } });
}
