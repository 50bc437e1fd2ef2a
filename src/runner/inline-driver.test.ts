import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import type { AbortReason } from "./driver.js";
import { InlineDriver } from "./inline-driver.js";

/** An execute function whose runs finish when the test says so. */
function controllable() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const reasons = new Map<string, AbortReason>();
  const execute = (runId: string, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      started.push(runId);
      finish.set(runId, resolve);
      signal.addEventListener("abort", () => {
        reasons.set(runId, signal.reason as AbortReason);
        resolve();
      });
    });
  return { started, finish, reasons, execute };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const tick = () => new Promise((r) => setImmediate(r));
const logger = createLogger("silent");

describe("InlineDriver", () => {
  it("runs at most `concurrency` runs, the rest by priority then first come first served", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, 1, logger);
    await driver.start();
    driver.accept({ runId: "first", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "low-early", priority: 0, queuedAt: at(1) });
    driver.accept({ runId: "low-late", priority: 0, queuedAt: at(3) });
    driver.accept({ runId: "high", priority: 5, queuedAt: at(2) });
    expect(c.started).toEqual(["first"]);
    expect([driver.active, driver.waiting]).toEqual([1, 3]);
    for (const expected of ["high", "low-early", "low-late"]) {
      c.finish.get(c.started.at(-1)!)!();
      await tick();
      expect(c.started.at(-1)).toBe(expected);
    }
  });

  it("drops a waiting run on cancel and aborts a running one with reason cancel", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, 1, logger);
    await driver.start();
    driver.accept({ runId: "a", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "b", priority: 0, queuedAt: at(1) });
    driver.cancel("b");
    driver.cancel("a");
    await tick();
    expect(c.reasons.get("a")).toEqual({ kind: "cancel" });
    expect(c.started).toEqual(["a"]);
  });

  it("ignores a run enqueued twice", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, 1, logger);
    await driver.start();
    driver.accept({ runId: "a", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "a", priority: 0, queuedAt: at(0) });
    expect([driver.active, driver.waiting]).toEqual([1, 0]);
  });

  it("takes a run enqueued in a transaction only once that transaction committed", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, 1, logger);
    await driver.start();
    const committed: (() => void)[] = [];
    await driver.enqueue(
      { runId: "a", priority: 0, queuedAt: at(0) },
      { query: () => Promise.resolve([]), afterCommit: (fn) => committed.push(fn) },
    );
    expect(c.started).toEqual([]);
    for (const fn of committed) fn();
    expect(c.started).toEqual(["a"]);
  });

  it("takes the runs recovery hands it before new ones", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, 1, logger, () =>
      Promise.resolve([{ runId: "left-behind", priority: 0, queuedAt: at(0) }]),
    );
    await driver.start();
    driver.accept({ runId: "new", priority: 0, queuedAt: at(1) });
    expect(c.started).toEqual(["left-behind"]);
    expect(driver.waiting).toBe(1);
  });

  it("on stop waits for running runs, then aborts them as shutdown after the grace period", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, 2, logger);
    await driver.start();
    driver.accept({ runId: "quick", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "slow", priority: 0, queuedAt: at(1) });
    setTimeout(() => c.finish.get("quick")!(), 10);
    await driver.stop(100);
    expect(c.reasons.has("quick")).toBe(false);
    expect(c.reasons.get("slow")).toEqual({ kind: "shutdown" });
    driver.accept({ runId: "after", priority: 0, queuedAt: at(2) });
    expect(c.started).not.toContain("after");
  });
});
