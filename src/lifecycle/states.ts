/**
 * The states of a scenario and of one run attempt, written once: the GraphQL
 * enums register these (src/modules/common/enums.ts), the database stores the
 * lower-case names (the CHECK constraints `ck_scenarios_state` and
 * `ck_scenario_runs_state`), and every reader and writer maps through here.
 */

/** Lifecycle state of a scenario (DESIGN.md, "Scenario lifecycle"). */
export enum ScenarioState {
  NOT_READY_TO_RUN = "NOT_READY_TO_RUN",
  READY_TO_RUN = "READY_TO_RUN",
  QUEUED = "QUEUED",
  IS_RUNNING = "IS_RUNNING",
  CANCELLING = "CANCELLING",
  CANCELLED = "CANCELLED",
  RAN_SUCCESS = "RAN_SUCCESS",
  RAN_WITH_ERRORS = "RAN_WITH_ERRORS",
}

/** State of one run attempt (a `scenario_runs` row). */
export enum RunState {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}

/** A scenario state as stored in `scenarios.state`. */
export type DbScenarioState = Lowercase<`${ScenarioState}`>;
/** A run state as stored in `scenario_runs.state`. */
export type DbRunState = Lowercase<`${RunState}`>;

/** The stored spelling of a state. */
export function toDbState(state: ScenarioState): DbScenarioState;
export function toDbState(state: RunState): DbRunState;
export function toDbState(state: ScenarioState | RunState): string {
  return state.toLowerCase();
}

const SCENARIO_STATES = new Set<string>(Object.values(ScenarioState));
const RUN_STATES = new Set<string>(Object.values(RunState));

/** A stored (or GraphQL-spelled) scenario state; throws on a value that is none, since that is a bug. */
export function scenarioStateOf(stored: string): ScenarioState {
  const upper = stored.toUpperCase();
  if (!SCENARIO_STATES.has(upper)) throw new RangeError(`unknown scenario state "${stored}"`);
  return upper as ScenarioState;
}

/** A stored (or GraphQL-spelled) run state; throws on a value that is none. */
export function runStateOf(stored: string): RunState {
  const upper = stored.toUpperCase();
  if (!RUN_STATES.has(upper)) throw new RangeError(`unknown run state "${stored}"`);
  return upper as RunState;
}

/** Scenario states with a run queued, running or being cancelled: its inputs are frozen then. */
export const ACTIVE: readonly ScenarioState[] = [
  ScenarioState.QUEUED,
  ScenarioState.IS_RUNNING,
  ScenarioState.CANCELLING,
];

/** Scenario states a run ends in; nothing about that run follows them. */
export const TERMINAL: readonly ScenarioState[] = [
  ScenarioState.CANCELLED,
  ScenarioState.RAN_SUCCESS,
  ScenarioState.RAN_WITH_ERRORS,
];

/** ACTIVE as stored, for `where: { state: { in | notIn } }` guards. */
export const DB_ACTIVE: DbScenarioState[] = ACTIVE.map((s) => toDbState(s));

/** True while a run is queued, running or being cancelled (either spelling). */
export const isActive = (state: string): boolean => ACTIVE.includes(scenarioStateOf(state));

/** True for a state a run ends in (either spelling). */
export const isTerminal = (state: string): boolean => TERMINAL.includes(scenarioStateOf(state));
