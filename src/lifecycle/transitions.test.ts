import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../errors.js";
import {
  isActive,
  isTerminal,
  RunState,
  runStateOf,
  ScenarioState,
  scenarioStateOf,
  toDbState,
} from "./states.js";
import {
  afterInputChange,
  allowsScenario,
  finish,
  FINISH,
  IllegalTransitionError,
  moveRun,
  moveScenario,
  recover,
  requeue,
  revalidate,
  runMoves,
  scenarioMoves,
  storedScenarioSources,
  TRANSITIONS,
  type Transition,
} from "./transitions.js";

const S = ScenarioState;
const R = RunState;
const IDLE = [S.NOT_READY_TO_RUN, S.READY_TO_RUN, S.CANCELLED, S.RAN_SUCCESS, S.RAN_WITH_ERRORS];
const all = <T>(states: T[], to: T): [T, T][] => states.map((s) => [s, to]);

/** The legal moves, written out from DESIGN.md's diagram (not derived from the table under test). */
const EXPECTED: Record<
  string,
  { t: Transition; scenario: [ScenarioState, ScenarioState][]; run: [RunState, RunState][] }
> = {
  afterInputChange: {
    t: TRANSITIONS.afterInputChange,
    scenario: [
      [S.NOT_READY_TO_RUN, S.NOT_READY_TO_RUN],
      [S.READY_TO_RUN, S.READY_TO_RUN],
      [S.CANCELLED, S.READY_TO_RUN],
      [S.RAN_SUCCESS, S.READY_TO_RUN],
      [S.RAN_WITH_ERRORS, S.READY_TO_RUN],
    ],
    run: [],
  },
  prepare: {
    t: TRANSITIONS.prepare,
    scenario: [
      [S.NOT_READY_TO_RUN, S.READY_TO_RUN],
      [S.READY_TO_RUN, S.READY_TO_RUN],
      [S.CANCELLED, S.CANCELLED],
      [S.RAN_SUCCESS, S.RAN_SUCCESS],
      [S.RAN_WITH_ERRORS, S.RAN_WITH_ERRORS],
    ],
    run: [],
  },
  invalidate: { t: TRANSITIONS.invalidate, scenario: all(IDLE, S.NOT_READY_TO_RUN), run: [] },
  revalidate: { t: TRANSITIONS.revalidate, scenario: all(IDLE, S.READY_TO_RUN), run: [] },
  enqueue: { t: TRANSITIONS.enqueue, scenario: all(IDLE, S.QUEUED), run: [] },
  cancel: {
    t: TRANSITIONS.cancel,
    scenario: [
      [S.QUEUED, S.CANCELLED],
      [S.IS_RUNNING, S.CANCELLING],
      [S.CANCELLING, S.CANCELLING],
      [S.CANCELLED, S.CANCELLED],
    ],
    run: [
      [R.QUEUED, R.CANCELLED],
      [R.RUNNING, R.RUNNING],
    ],
  },
  claim: { t: TRANSITIONS.claim, scenario: [], run: [[R.QUEUED, R.RUNNING]] },
  markRunning: { t: TRANSITIONS.markRunning, scenario: [[S.QUEUED, S.IS_RUNNING]], run: [] },
  "finish(SUCCEEDED)": {
    t: FINISH[R.SUCCEEDED],
    scenario: [
      [S.IS_RUNNING, S.RAN_SUCCESS],
      [S.CANCELLING, S.RAN_SUCCESS],
    ],
    run: [[R.RUNNING, R.SUCCEEDED]],
  },
  "finish(FAILED)": {
    t: FINISH[R.FAILED],
    scenario: [
      [S.IS_RUNNING, S.RAN_WITH_ERRORS],
      [S.CANCELLING, S.RAN_WITH_ERRORS],
    ],
    run: [[R.RUNNING, R.FAILED]],
  },
  "finish(CANCELLED)": {
    t: FINISH[R.CANCELLED],
    scenario: [
      [S.IS_RUNNING, S.CANCELLED],
      [S.CANCELLING, S.CANCELLED],
      [S.CANCELLED, S.CANCELLED],
    ],
    run: [[R.RUNNING, R.CANCELLED]],
  },
  requeue: {
    t: TRANSITIONS.requeue,
    scenario: [
      [S.IS_RUNNING, S.QUEUED],
      [S.CANCELLING, S.CANCELLING],
    ],
    run: [[R.RUNNING, R.QUEUED]],
  },
  recover: {
    t: TRANSITIONS.recover,
    scenario: [
      [S.QUEUED, S.RAN_WITH_ERRORS],
      [S.IS_RUNNING, S.RAN_WITH_ERRORS],
      [S.CANCELLING, S.CANCELLED],
      [S.CANCELLED, S.CANCELLED],
    ],
    run: [
      [R.RUNNING, R.FAILED],
      [R.QUEUED, R.CANCELLED],
    ],
  },
  release: {
    t: TRANSITIONS.release,
    scenario: [
      [S.IS_RUNNING, S.QUEUED],
      [S.CANCELLING, S.CANCELLING],
    ],
    run: [[R.RUNNING, R.QUEUED]],
  },
  abandon: {
    t: TRANSITIONS.abandon,
    scenario: [
      [S.QUEUED, S.RAN_WITH_ERRORS],
      [S.IS_RUNNING, S.RAN_WITH_ERRORS],
      [S.CANCELLING, S.CANCELLED],
    ],
    run: [
      [R.QUEUED, R.FAILED],
      [R.RUNNING, R.FAILED],
    ],
  },
};

function refusal(move: () => unknown): IllegalTransitionError {
  try {
    move();
  } catch (err) {
    if (err instanceof IllegalTransitionError) return err;
    throw err;
  }
  throw new Error("the move was allowed");
}

describe("the transition table", () => {
  it("covers every named transition", () => {
    const named = new Set([...Object.values(TRANSITIONS), ...Object.values(FINISH)]);
    expect(new Set(Object.values(EXPECTED).map((e) => e.t))).toEqual(named);
  });

  describe.each(Object.entries(EXPECTED))("%s", (_name, { t, scenario, run }) => {
    const legalScenario = new Map(scenario);
    const legalRun = new Map(run);

    it.each(Object.values(S))("moves a scenario in %s as the lifecycle says, or refuses", (from) => {
      const to = legalScenario.get(from);
      if (to !== undefined) {
        expect(moveScenario(t, from)).toBe(to);
        return;
      }
      const err = refusal(() => moveScenario(t, from, "Scenario s1"));
      expect(err).toMatchObject({ code: ErrorCode.INVALID_STATE, transition: t.name, from });
      expect(err.message).toBe(`Scenario s1 is ${from}; ${t.refusal}`);
    });

    it.each(Object.values(R))("moves a run in %s as the lifecycle says, or refuses", (from) => {
      const to = legalRun.get(from);
      if (to !== undefined) {
        expect(moveRun(t, from)).toBe(to);
        return;
      }
      expect(refusal(() => moveRun(t, from))).toMatchObject({
        code: ErrorCode.INVALID_STATE,
        transition: t.name,
        from,
      });
    });

    it("writes each row at most once: a target is never the source of another target's write", () => {
      for (const moves of [scenarioMoves(t, { identity: true }), runMoves(t, { identity: true })]) {
        for (const a of moves)
          for (const b of moves) if (a !== b) expect(b.from).not.toContain(a.to.toLowerCase());
      }
    });
  });

  it("guards each write on the stored spelling of its sources and skips moves that change nothing", () => {
    expect(scenarioMoves(TRANSITIONS.cancel)).toEqual([
      { from: ["queued"], to: S.CANCELLED },
      { from: ["is_running"], to: S.CANCELLING },
    ]);
    expect(scenarioMoves(TRANSITIONS.requeue)).toEqual([{ from: ["is_running"], to: S.QUEUED }]);
    expect(scenarioMoves(FINISH[R.CANCELLED], { identity: true })).toEqual([
      { from: ["is_running", "cancelling", "cancelled"], to: S.CANCELLED },
    ]);
    expect(runMoves(TRANSITIONS.cancel)).toEqual([{ from: ["queued"], to: R.CANCELLED }]);
    expect(runMoves(TRANSITIONS.cancel, { identity: true })).toEqual([
      { from: ["queued"], to: R.CANCELLED },
      { from: ["running"], to: R.RUNNING },
    ]);
    expect(storedScenarioSources(TRANSITIONS.requeue)).toEqual(["is_running", "cancelling"]);
  });

  it("says which scenario states a transition starts from", () => {
    expect(Object.values(S).filter((s) => allowsScenario(TRANSITIONS.cancel, s))).toEqual([
      S.QUEUED,
      S.IS_RUNNING,
      S.CANCELLING,
      S.CANCELLED,
    ]);
    // A transition that concerns no scenario allows none.
    expect(Object.values(S).some((s) => allowsScenario(TRANSITIONS.claim, s))).toBe(false);
  });
});

describe("named transitions", () => {
  it.each([
    [S.RAN_SUCCESS, false, { state: S.READY_TO_RUN, resultsStale: true }],
    [S.RAN_WITH_ERRORS, false, { state: S.READY_TO_RUN, resultsStale: false }],
    [S.CANCELLED, true, { state: S.READY_TO_RUN, resultsStale: true }],
    [S.READY_TO_RUN, false, { state: S.READY_TO_RUN, resultsStale: false }],
    [S.NOT_READY_TO_RUN, false, { state: S.NOT_READY_TO_RUN, resultsStale: false }],
  ])("an input edit of a %s scenario (stale %s) gives %o", (state, resultsStale, expected) => {
    expect(afterInputChange({ state, resultsStale })).toEqual(expected);
  });

  it("refuses an input edit while a run is under way, naming the scenario", () => {
    const err = refusal(() => afterInputChange({ state: S.IS_RUNNING, resultsStale: false }, "Scenario x"));
    expect(err.message).toBe("Scenario x is IS_RUNNING; its inputs cannot change until the run ends");
    expect(err.name).toBe("IllegalTransitionError");
    expect(err).toBeInstanceOf(Error);
  });

  it("names the subject of a refusal, by default the scenario or the run", () => {
    expect(refusal(() => moveScenario(TRANSITIONS.claim, S.QUEUED)).message).toBe(
      `The scenario is QUEUED; ${TRANSITIONS.claim.refusal}`,
    );
    expect(refusal(() => moveRun(TRANSITIONS.markRunning, R.QUEUED)).message).toBe(
      `The run is QUEUED; ${TRANSITIONS.markRunning.refusal}`,
    );
  });

  it("moves a scenario and its run together when a run finishes, is requeued or recovered", () => {
    expect(finish(R.SUCCEEDED, { scenario: S.CANCELLING, run: R.RUNNING })).toEqual({
      scenario: S.RAN_SUCCESS,
      run: R.SUCCEEDED,
    });
    expect(finish(R.CANCELLED, { scenario: S.CANCELLED, run: R.RUNNING })).toEqual({
      scenario: S.CANCELLED,
      run: R.CANCELLED,
    });
    expect(requeue({ scenario: S.IS_RUNNING, run: R.RUNNING })).toEqual({
      scenario: S.QUEUED,
      run: R.QUEUED,
    });
    expect(recover({ scenario: S.CANCELLING, run: R.QUEUED })).toEqual({
      scenario: S.CANCELLED,
      run: R.CANCELLED,
    });
    // Either half out of place refuses the whole move.
    expect(refusal(() => finish(R.FAILED, { scenario: S.QUEUED, run: R.RUNNING })).from).toBe(S.QUEUED);
    expect(refusal(() => requeue({ scenario: S.IS_RUNNING, run: R.QUEUED })).from).toBe(R.QUEUED);
  });

  it("after a model change marks a successful run's results stale either way", () => {
    expect(revalidate({ state: S.RAN_SUCCESS, resultsStale: false }, true)).toEqual({
      state: S.READY_TO_RUN,
      resultsStale: true,
    });
    expect(revalidate({ state: S.RAN_SUCCESS, resultsStale: false }, false)).toEqual({
      state: S.NOT_READY_TO_RUN,
      resultsStale: true,
    });
    // Results of a run that did not succeed stay as they were.
    expect(revalidate({ state: S.RAN_WITH_ERRORS, resultsStale: false }, true)).toEqual({
      state: S.READY_TO_RUN,
      resultsStale: false,
    });
    expect(revalidate({ state: S.CANCELLED, resultsStale: true }, false)).toEqual({
      state: S.NOT_READY_TO_RUN,
      resultsStale: true,
    });
  });
});

describe("state spellings", () => {
  /** The values a CHECK constraint of the migrations allows. */
  function checkValues(constraint: string): string[] {
    const dir = new URL("../../prisma/migrations/", import.meta.url);
    const sql = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => readFileSync(new URL(`${d.name}/migration.sql`, dir), "utf8"))
      .join("\n");
    const m = new RegExp(`"${constraint}" CHECK \\("state" IN \\(([^)]*)\\)\\)`).exec(sql);
    if (!m) throw new Error(`no ${constraint} in the migrations`);
    return m[1].split(",").map((v) => v.trim().replace(/^'|'$/g, ""));
  }

  it("stores exactly the values the database's CHECK constraints allow", () => {
    expect(Object.values(S).map((s) => toDbState(s))).toEqual(checkValues("ck_scenarios_state"));
    expect(Object.values(R).map((s) => toDbState(s))).toEqual(checkValues("ck_scenario_runs_state"));
  });

  it("reads either spelling back and refuses a value that is no state", () => {
    expect(scenarioStateOf("ran_with_errors")).toBe(S.RAN_WITH_ERRORS);
    expect(scenarioStateOf("IS_RUNNING")).toBe(S.IS_RUNNING);
    expect(runStateOf("succeeded")).toBe(R.SUCCEEDED);
    expect(() => scenarioStateOf("running")).toThrow(new RangeError('unknown scenario state "running"'));
    expect(() => runStateOf("is_running")).toThrow(new RangeError('unknown run state "is_running"'));
  });

  it("knows which states have a run under way and which end one, in either spelling", () => {
    expect(["queued", "IS_RUNNING", "cancelling"].every(isActive)).toBe(true);
    expect(["ready_to_run", "RAN_SUCCESS", "CANCELLED"].some(isActive)).toBe(false);
    expect(["cancelled", "RAN_SUCCESS", "ran_with_errors"].every(isTerminal)).toBe(true);
    expect(["CANCELLING", "not_ready_to_run"].some(isTerminal)).toBe(false);
  });
});
