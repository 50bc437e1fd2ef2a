import { AppError, ErrorCode } from "../errors.js";
import { RunState, ScenarioState, TERMINAL, toDbState, type DbScenarioState } from "./states.js";

/**
 * The lifecycle of DESIGN.md as one table: every named transition lists the
 * moves it allows of the scenario and of the run row it concerns. Anything not
 * listed is refused with an IllegalTransitionError. The database writers guard
 * their updates with the same table (`scenarioSources`, `runSources`), so a
 * check and its write stay one atomic step.
 */

/** How a run attempt ended: the terminal state of its run row. */
export type RunOutcomeKind = RunState.SUCCEEDED | RunState.FAILED | RunState.CANCELLED;

export type TransitionName =
  | "afterInputChange"
  | "prepare"
  | "invalidate"
  | "revalidate"
  | "enqueue"
  | "cancel"
  | "claim"
  | "markRunning"
  | "finish"
  | "requeue"
  | "recover"
  | "release"
  | "abandon";

type Moves<S extends string> = Readonly<Partial<Record<S, S>>>;

export interface Transition {
  readonly name: TransitionName;
  /** Scenario moves (from → to); absent when the transition leaves the scenario alone. */
  readonly scenario?: Moves<ScenarioState>;
  /** Run-row moves (from → to); absent when the transition concerns no run row. */
  readonly run?: Moves<RunState>;
  /** What the caller is told when the scenario (or run) is in a state the transition does not allow. */
  readonly refusal: string;
}

const S = ScenarioState;
const R = RunState;
const IDLE = [S.NOT_READY_TO_RUN, S.READY_TO_RUN, ...TERMINAL];
/** Every idle state to one target. */
const idleTo = (to: ScenarioState): Moves<ScenarioState> => Object.fromEntries(IDLE.map((s) => [s, to]));

const define = (t: Transition): Transition => t;

/** The transition table; read it next to the diagram in DESIGN.md. */
export const TRANSITIONS = {
  /** Inputs edited (reps, time period, overrides, model definition): a finished scenario is ready again. */
  afterInputChange: define({
    name: "afterInputChange",
    scenario: { ...idleTo(S.READY_TO_RUN), [S.NOT_READY_TO_RUN]: S.NOT_READY_TO_RUN },
    refusal: "its inputs cannot change until the run ends",
  }),
  /** Validated: a scenario never validated becomes ready; any other idle state stays. */
  prepare: define({
    name: "prepare",
    scenario: {
      ...Object.fromEntries(IDLE.map((s) => [s, s])),
      [S.NOT_READY_TO_RUN]: S.READY_TO_RUN,
    },
    refusal: "it is already past preparation",
  }),
  /** Its effective model does not validate or run: not ready, with the reason recorded. */
  invalidate: define({
    name: "invalidate",
    scenario: idleTo(S.NOT_READY_TO_RUN),
    refusal: "a run is under way",
  }),
  /** Checked again after its model changed and found runnable. */
  revalidate: define({
    name: "revalidate",
    scenario: idleTo(S.READY_TO_RUN),
    refusal: "a run is under way",
  }),
  /** A new run attempt: the scenario and its new run row are QUEUED in one transaction. */
  enqueue: define({
    name: "enqueue",
    scenario: idleTo(S.QUEUED),
    refusal: "wait for the run to end or cancel it",
  }),
  /** Cancel: a queued run ends at once, a running one is asked to stop; repeating it changes nothing. */
  cancel: define({
    name: "cancel",
    scenario: {
      [S.QUEUED]: S.CANCELLED,
      [S.IS_RUNNING]: S.CANCELLING,
      [S.CANCELLING]: S.CANCELLING,
      [S.CANCELLED]: S.CANCELLED,
    },
    run: { [R.QUEUED]: R.CANCELLED, [R.RUNNING]: R.RUNNING },
    refusal: "only a queued or running scenario can be cancelled",
  }),
  /** A runner takes a queued run; of two runners exactly one gets it. */
  claim: define({
    name: "claim",
    run: { [R.QUEUED]: R.RUNNING },
    refusal: "it is not waiting to run",
  }),
  /** The claimed run starts executing; refused when a cancel reached the scenario first. */
  markRunning: define({
    name: "markRunning",
    scenario: { [S.QUEUED]: S.IS_RUNNING },
    refusal: "it is no longer waiting for this run",
  }),
  /** The runner shuts down mid-run: the run waits again; a scenario being cancelled stays so (recovery ends it). */
  requeue: define({
    name: "requeue",
    scenario: { [S.IS_RUNNING]: S.QUEUED, [S.CANCELLING]: S.CANCELLING },
    run: { [R.RUNNING]: R.QUEUED },
    refusal: "it is not running",
  }),
  /**
   * After a crash: a run left RUNNING failed; a run left QUEUED whose scenario no
   * longer waits for it is cancelled. Its scenario ends accordingly.
   */
  recover: define({
    name: "recover",
    scenario: {
      [S.QUEUED]: S.RAN_WITH_ERRORS,
      [S.IS_RUNNING]: S.RAN_WITH_ERRORS,
      [S.CANCELLING]: S.CANCELLED,
      [S.CANCELLED]: S.CANCELLED,
    },
    run: { [R.RUNNING]: R.FAILED, [R.QUEUED]: R.CANCELLED },
    refusal: "it was not left behind by a runner",
  }),
  /**
   * Queue mode: the worker that now holds a run's job takes the run back from a
   * worker that lost it (killed, or its lease expired): the run waits again, to be
   * claimed by the new holder; a scenario being cancelled stays so.
   */
  release: define({
    name: "release",
    scenario: { [S.IS_RUNNING]: S.QUEUED, [S.CANCELLING]: S.CANCELLING },
    run: { [R.RUNNING]: R.QUEUED },
    refusal: "it is not running",
  }),
  /**
   * Queue mode: workers stopped under the run as many times as it may be attempted;
   * it ends failed (a scenario being cancelled ends cancelled).
   */
  abandon: define({
    name: "abandon",
    scenario: {
      [S.QUEUED]: S.RAN_WITH_ERRORS,
      [S.IS_RUNNING]: S.RAN_WITH_ERRORS,
      [S.CANCELLING]: S.CANCELLED,
    },
    run: { [R.QUEUED]: R.FAILED, [R.RUNNING]: R.FAILED },
    refusal: "it is not queued or running",
  }),
} as const satisfies Record<string, Transition>;

/**
 * `finish(outcome)`: the run ends; a scenario being cancelled ends by what
 * actually happened (a run that completed before the abort took hold succeeded).
 */
export const FINISH: Readonly<Record<RunOutcomeKind, Transition>> = {
  [R.SUCCEEDED]: define({
    name: "finish",
    scenario: { [S.IS_RUNNING]: S.RAN_SUCCESS, [S.CANCELLING]: S.RAN_SUCCESS },
    run: { [R.RUNNING]: R.SUCCEEDED },
    refusal: "it is not running",
  }),
  [R.FAILED]: define({
    name: "finish",
    scenario: { [S.IS_RUNNING]: S.RAN_WITH_ERRORS, [S.CANCELLING]: S.RAN_WITH_ERRORS },
    run: { [R.RUNNING]: R.FAILED },
    refusal: "it is not running",
  }),
  /** A cancelled scenario still gets the run's end time (an identity move that writes). */
  [R.CANCELLED]: define({
    name: "finish",
    scenario: { [S.IS_RUNNING]: S.CANCELLED, [S.CANCELLING]: S.CANCELLED, [S.CANCELLED]: S.CANCELLED },
    run: { [R.RUNNING]: R.CANCELLED },
    refusal: "it is not running",
  }),
};

/** The finishing transition of an outcome. */
export const finishing = (outcome: RunOutcomeKind): Transition => FINISH[outcome];

/** An illegal move: answered to clients as INVALID_STATE with the refusal of the transition. */
export class IllegalTransitionError extends AppError {
  override name = "IllegalTransitionError";
  constructor(
    readonly transition: TransitionName,
    readonly from: ScenarioState | RunState,
    subject: string,
    refusal: string,
  ) {
    super(ErrorCode.INVALID_STATE, `${subject} is ${from}; ${refusal}`);
  }
}

/** Where the transition takes a scenario in `from`; throws IllegalTransitionError when it may not. */
export function moveScenario(t: Transition, from: ScenarioState, subject = "The scenario"): ScenarioState {
  const to = t.scenario?.[from];
  if (to === undefined) throw new IllegalTransitionError(t.name, from, subject, t.refusal);
  return to;
}

/** Where the transition takes a run row in `from`; throws IllegalTransitionError when it may not. */
export function moveRun(t: Transition, from: RunState, subject = "The run"): RunState {
  const to = t.run?.[from];
  if (to === undefined) throw new IllegalTransitionError(t.name, from, subject, t.refusal);
  return to;
}

/** Scenario states the transition may start from (the guard of its write). */
export const scenarioSources = (t: Transition): ScenarioState[] =>
  Object.keys(t.scenario ?? {}) as ScenarioState[];

/** `scenarioSources` as stored, for a `where: { state: { in } }` guard. */
export const storedScenarioSources = (t: Transition): DbScenarioState[] =>
  scenarioSources(t).map((s) => toDbState(s));

/** Run states the transition may start from (the guard of its write). */
export const runSources = (t: Transition): RunState[] => Object.keys(t.run ?? {}) as RunState[];

/** True when the transition allows a scenario in `from`. */
export const allowsScenario = (t: Transition, from: ScenarioState): boolean =>
  t.scenario?.[from] !== undefined;

// ------------------------------------------------------------ named transitions

/**
 * What an edit of a scenario's inputs does: a finished scenario is ready to run
 * again and results of a successful run become stale; a scenario never
 * validated stays so. Refused while a run is active.
 */
export function afterInputChange(
  row: { state: ScenarioState; resultsStale: boolean },
  subject?: string,
): { state: ScenarioState; resultsStale: boolean } {
  return {
    state: moveScenario(TRANSITIONS.afterInputChange, row.state, subject),
    resultsStale: row.resultsStale || row.state === S.RAN_SUCCESS,
  };
}

/**
 * After the scenario's model changed: runnable scenarios are ready again,
 * others not ready; results of an earlier successful run become stale.
 */
export function revalidate(
  row: { state: ScenarioState; resultsStale: boolean },
  runnable: boolean,
  subject?: string,
): { state: ScenarioState; resultsStale: boolean } {
  const t = runnable ? TRANSITIONS.revalidate : TRANSITIONS.invalidate;
  return {
    state: moveScenario(t, row.state, subject),
    resultsStale: row.resultsStale || row.state === S.RAN_SUCCESS,
  };
}

export const prepare = (from: ScenarioState, subject?: string) =>
  moveScenario(TRANSITIONS.prepare, from, subject);
export const invalidate = (from: ScenarioState, subject?: string) =>
  moveScenario(TRANSITIONS.invalidate, from, subject);
export const enqueue = (from: ScenarioState, subject?: string) =>
  moveScenario(TRANSITIONS.enqueue, from, subject);
export const cancel = (from: ScenarioState, subject?: string) =>
  moveScenario(TRANSITIONS.cancel, from, subject);
export const claim = (from: RunState, subject?: string) => moveRun(TRANSITIONS.claim, from, subject);
export const markRunning = (from: ScenarioState, subject?: string) =>
  moveScenario(TRANSITIONS.markRunning, from, subject);

/** Where a finished run takes its scenario and its run row. */
export function finish(
  outcome: RunOutcomeKind,
  from: { scenario: ScenarioState; run: RunState },
): { scenario: ScenarioState; run: RunState } {
  const t = finishing(outcome);
  return { scenario: moveScenario(t, from.scenario), run: moveRun(t, from.run) };
}

export const requeue = (from: { scenario: ScenarioState; run: RunState }) => ({
  scenario: moveScenario(TRANSITIONS.requeue, from.scenario),
  run: moveRun(TRANSITIONS.requeue, from.run),
});

export const recover = (from: { scenario: ScenarioState; run: RunState }) => ({
  scenario: moveScenario(TRANSITIONS.recover, from.scenario),
  run: moveRun(TRANSITIONS.recover, from.run),
});

// ------------------------------------------------------------ guarded writes

/** One guarded write of a transition: rows in one of `from` (stored spelling) move to `to`. */
export interface Move<S extends ScenarioState | RunState> {
  from: string[];
  to: S;
}

function movesOf<S extends ScenarioState | RunState>(
  moves: Moves<S> | undefined,
  identity: boolean,
): Move<S>[] {
  const byTarget = new Map<S, string[]>();
  for (const [from, to] of Object.entries(moves ?? {}) as [S, S][]) {
    if (from === to && !identity) continue;
    byTarget.set(to, [...(byTarget.get(to) ?? []), from.toLowerCase()]);
  }
  return [...byTarget].map(([to, from]) => ({ from, to }));
}

/**
 * The transition's scenario writes, one `updateMany` per target state, each
 * guarded on the states that move there. A row matches at most one of them,
 * and a target is never the source of another target's write (checked by the
 * transition tests), so running them in any order moves each row once.
 * Moves that keep the state write nothing unless `identity` is set.
 */
export const scenarioMoves = (t: Transition, opts: { identity?: boolean } = {}): Move<ScenarioState>[] =>
  movesOf(t.scenario, opts.identity ?? false);

/** The transition's run-row writes, as `scenarioMoves`. */
export const runMoves = (t: Transition, opts: { identity?: boolean } = {}): Move<RunState>[] =>
  movesOf(t.run, opts.identity ?? false);
