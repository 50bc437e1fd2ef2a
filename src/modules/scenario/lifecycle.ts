/** Scenario states as stored (lower-case names of ScenarioState). */
export type DbScenarioState =
  | "not_ready_to_run"
  | "ready_to_run"
  | "queued"
  | "is_running"
  | "cancelling"
  | "cancelled"
  | "ran_success"
  | "ran_with_errors";

export const ACTIVE: DbScenarioState[] = ["queued", "is_running", "cancelling"];
export const TERMINAL: readonly DbScenarioState[] = ["cancelled", "ran_success", "ran_with_errors"];

/** True while a run is queued, running or being cancelled (stored or GraphQL state name). */
export const isActive = (state: string): boolean => (ACTIVE as string[]).includes(state.toLowerCase());

/**
 * What an edit of a scenario's inputs (reps, time period, overrides, model
 * definition) does to its state: a finished scenario is ready to run again and
 * results of a successful run become stale; a scenario never validated stays so.
 * Callers refuse edits while a run is active.
 */
export function afterInputChange(row: { state: string; resultsStale: boolean }): {
  state: DbScenarioState;
  resultsStale: boolean;
} {
  if (row.state === "not_ready_to_run") return { state: "not_ready_to_run", resultsStale: row.resultsStale };
  return { state: "ready_to_run", resultsStale: row.resultsStale || row.state === "ran_success" };
}
