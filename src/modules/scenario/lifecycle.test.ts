import { describe, expect, it } from "vitest";
import { afterInputChange, isActive } from "./lifecycle.js";

describe("scenario lifecycle rules", () => {
  it.each([
    ["ran_success", false, { state: "ready_to_run", resultsStale: true }],
    ["ran_with_errors", false, { state: "ready_to_run", resultsStale: false }],
    ["cancelled", true, { state: "ready_to_run", resultsStale: true }],
    ["ready_to_run", false, { state: "ready_to_run", resultsStale: false }],
    ["not_ready_to_run", false, { state: "not_ready_to_run", resultsStale: false }],
  ])("an input edit of a %s scenario (stale %s) gives %o", (state, resultsStale, expected) => {
    expect(afterInputChange({ state, resultsStale })).toEqual(expected);
  });

  it("knows which states have a run under way, in either spelling", () => {
    expect(["queued", "IS_RUNNING", "cancelling"].every(isActive)).toBe(true);
    expect(["ready_to_run", "RAN_SUCCESS", "CANCELLED"].some(isActive)).toBe(false);
  });
});
