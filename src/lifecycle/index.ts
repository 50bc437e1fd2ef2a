/**
 * The scenario lifecycle: states, the transition table and the runner's
 * persistence interface. Below both the runner and the GraphQL modules, so
 * that each of them (and a worker process) uses the one definition.
 */
export * from "./states.js";
export * from "./transitions.js";
export type { AbandonedRun, ClaimedRun, QueuedRun, RunResult, RunStore, RunTiming } from "./run-store.js";
