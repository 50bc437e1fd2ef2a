import { describe, expect, it, vi } from "vitest";
import { pino } from "pino";
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

  it("orders waiting runs by priority, then by queue time whatever the order they arrive in", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "busy", tenantId: "A", priority: 0, queuedAt: at(0) });
    // A later run arrives before an earlier one of the same priority; a high priority run queued late
    // arrives before a low one queued early; two runs tie on priority and time (first come first).
    driver.accept({ runId: "late", tenantId: "A", priority: 1, queuedAt: at(9) });
    driver.accept({ runId: "early", tenantId: "A", priority: 1, queuedAt: at(5) });
    driver.accept({ runId: "high", tenantId: "A", priority: 3, queuedAt: at(8) });
    driver.accept({ runId: "low", tenantId: "A", priority: 0, queuedAt: at(1) });
    driver.accept({ runId: "tie-1", tenantId: "A", priority: 1, queuedAt: at(7) });
    driver.accept({ runId: "tie-2", tenantId: "A", priority: 1, queuedAt: at(7) });
    for (let i = 0; i < 6; i++) {
      c.finish.get(c.started.at(-1)!)!();
      await tick();
    }
    expect(c.started).toEqual(["busy", "high", "early", "tie-1", "tie-2", "late", "low"]);
  });

  it("ignores a run enqueued again while it waits", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "a", tenantId: "A", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "b", tenantId: "A", priority: 0, queuedAt: at(1) });
    driver.accept({ runId: "b", tenantId: "A", priority: 0, queuedAt: at(1) });
    expect([driver.active, driver.waiting]).toEqual([1, 1]);
  });

  it("cancels only the waiting run named", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, one, logger);
    await driver.start();
    driver.accept({ runId: "a", tenantId: "A", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "b", tenantId: "A", priority: 0, queuedAt: at(1) });
    driver.accept({ runId: "c", tenantId: "A", priority: 0, queuedAt: at(2) });
    driver.cancel("unknown");
    expect(driver.waiting).toBe(2);
    driver.cancel("c");
    expect(driver.waiting).toBe(1);
    c.finish.get("a")!();
    await tick();
    expect(c.started).toEqual(["a", "b"]);
    expect(c.reasons.size).toBe(0);
  });

  it("takes no work before start, then all it was handed", async () => {
    const c = controllable();
    const driver = new InlineDriver(c.execute, { concurrency: 2, perTenant: 2 }, logger);
    driver.accept({ runId: "a", tenantId: "A", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "b", tenantId: "A", priority: 0, queuedAt: at(1) });
    expect(c.started).toEqual([]);
    await driver.start();
    expect(c.started).toEqual(["a", "b"]);
  });

  it("logs a run whose execution throws, and goes on with the next", async () => {
    const lines: Record<string, unknown>[] = [];
    const recording = pino({ level: "error" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const started: string[] = [];
    const driver = new InlineDriver(
      (runId) => {
        started.push(runId);
        return runId === "bad" ? Promise.reject(new Error("boom")) : Promise.resolve();
      },
      one,
      recording,
    );
    await driver.start();
    driver.accept({ runId: "bad", tenantId: "A", priority: 0, queuedAt: at(0) });
    driver.accept({ runId: "next", tenantId: "A", priority: 0, queuedAt: at(1) });
    await tick();
    expect(started).toEqual(["bad", "next"]);
    expect(lines).toMatchObject([
      { runId: "bad", msg: "run execution failed unexpectedly", err: { message: "boom" } },
    ]);
    expect(driver.active).toBe(0);
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

  it("on stop does not abort runs that end within the grace period, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    try {
      const c = controllable();
      const driver = new InlineDriver(c.execute, one, logger);
      await driver.start();
      driver.accept({ runId: "quick", tenantId: "A", priority: 0, queuedAt: at(0) });
      driver.accept({ runId: "waiting", tenantId: "A", priority: 0, queuedAt: at(1) });
      const stopping = driver.stop(30_000);
      c.finish.get("quick")!();
      await stopping;
      expect(c.reasons.size).toBe(0);
      expect(c.started).toEqual(["quick"]);
      expect([driver.active, driver.waiting]).toEqual([0, 0]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
