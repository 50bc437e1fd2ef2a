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
const one = { concurrency: 1, perTenant: 1 };

describe("InlineDriver", () => {
  it("runs at most `concurrency` runs, the rest by priority then first come first served", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "first", tenantId: "t", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "low-early", tenantId: "t", priority: 0, queuedAt: at(1) });
    driver.accept({ runId: "low-late", tenantId: "t", priority: 0, queuedAt: at(3) });
    driver.accept({ runId: "high", tenantId: "t", priority: 5, queuedAt: at(2) });
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
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "a", tenantId: "t", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "b", tenantId: "t", priority: 0, queuedAt: at(1) });
    driver.cancel("b");
    driver.cancel("a");
    await tick();
    expect(c.reasons.get("a")).toEqual({ kind: "cancel" });
    expect(c.started).toEqual(["a"]);
  });

  it("ignores a run enqueued twice", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "a", tenantId: "t", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "a", tenantId: "t", priority: 0, queuedAt: at(0) });
    expect([driver.active, driver.waiting]).toEqual([1, 0]);
  });

  it("takes a run enqueued in a transaction only once that transaction committed", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    const committed: (() => void)[] = [];
    await driver.enqueue(
      { runId: "a", tenantId: "t", priority: 0, queuedAt: at(0) },
      { query: () => Promise.resolve([]), afterCommit: (fn) => committed.push(fn) },
    );
    expect(c.started).toEqual([]);
    for (const fn of committed) fn();
    expect(c.started).toEqual(["a"]);
  });

  it("takes the runs recovery hands it before new ones", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger, () =>
      Promise.resolve([{ runId: "left-behind", tenantId: "t", priority: 0, queuedAt: at(0) }]),
    );
    await driver.start();
    driver.accept({ runId: "new", tenantId: "t", priority: 0, queuedAt: at(1) });
    expect(c.started).toEqual(["left-behind"]);
    expect(driver.waiting).toBe(1);
  });

  it("on stop waits for running runs, then aborts them as shutdown after the grace period", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, { concurrency: 2, perTenant: 2 }, logger);
    await driver.start();
    driver.accept({ runId: "quick", tenantId: "t", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "slow", tenantId: "t", priority: 0, queuedAt: at(1) });
    setTimeout(() => c.finish.get("quick")!(), 10);
    await driver.stop(100);
    expect(c.reasons.has("quick")).toBe(false);
    expect(c.reasons.get("slow")).toEqual({ kind: "shutdown" });
    driver.accept({ runId: "after", tenantId: "t", priority: 0, queuedAt: at(2) });
    expect(c.started).not.toContain("after");
  });

  it("takes tenants in turn and keeps each under its cap", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, { concurrency: 2, perTenant: 1 }, logger);
    await driver.start();
    for (let i = 0; i < 4; i++)
      driver.accept({ runId: `a${i}`, tenantId: "A", priority: 9, queuedAt: at(i) });
    // A's backlog fills one slot only; the other stays free for whoever comes next.
    expect(c.started).toEqual(["a0"]);
    driver.accept({ runId: "b0", tenantId: "B", priority: 0, queuedAt: at(10) });
    driver.accept({ runId: "b1", tenantId: "B", priority: 0, queuedAt: at(11) });
    expect(c.started).toEqual(["a0", "b0"]);
    expect([driver.active, driver.waiting]).toEqual([2, 4]);
    c.finish.get("a0")!();
    await tick();
    expect(c.started.at(-1)).toBe("a1");
    c.finish.get("b0")!();
    await tick();
    expect(c.started.at(-1)).toBe("b1");
  });

  it("alternates tenants on a single slot, whatever their priorities and backlog", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "a0", tenantId: "A", priority: 100, queuedAt: at(0) });
    for (let i = 1; i < 4; i++)
      driver.accept({ runId: `a${i}`, tenantId: "A", priority: 100, queuedAt: at(i) });
    driver.accept({ runId: "b0", tenantId: "B", priority: -100, queuedAt: at(10) });
    driver.accept({ runId: "b1", tenantId: "B", priority: -100, queuedAt: at(11) });
    for (let n = 0; n < 5; n++) {
      c.finish.get(c.started.at(-1)!)!();
      await tick();
    }
    expect(c.started).toEqual(["a0", "b0", "a1", "b1", "a2", "a3"]);
  });
});
