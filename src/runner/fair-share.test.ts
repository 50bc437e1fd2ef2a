import { describe, expect, it } from "vitest";
import { pickNext, type FairCandidate, type TenantShare } from "./fair-share.js";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const run = (tenantId: string, queuedAt: number, priority = 0): FairCandidate => ({
  tenantId,
  priority,
  queuedAt: at(queuedAt),
});
const sharesOf =
  (table: Record<string, TenantShare>) =>
  (tenantId: string): TenantShare | undefined =>
    table[tenantId];
const policy = { concurrency: 4, perTenant: 2 };

describe("pickNext", () => {
  it("picks nothing when no run waits or every slot is taken", () => {
    expect(pickNext([], sharesOf({}), policy, 0)).toBe(-1);
    expect(pickNext([run("A", 0)], sharesOf({}), policy, 4)).toBe(-1);
  });

  it("within a tenant: higher priority first, then first come first served", () => {
    const waiting = [run("A", 0), run("A", 1, 5), run("A", 2, 5)];
    expect(pickNext(waiting, sharesOf({}), policy, 0)).toBe(1);
    expect(pickNext([run("A", 3), run("A", 1), run("A", 2)], sharesOf({}), policy, 0)).toBe(1);
  });

  it("skips a tenant at its cap, even when it alone waits", () => {
    const waiting = [run("A", 0), run("B", 5)];
    expect(pickNext(waiting, sharesOf({ A: { running: 2, lastStarted: 1 } }), policy, 2)).toBe(1);
    expect(pickNext([run("A", 0)], sharesOf({ A: { running: 2, lastStarted: 1 } }), policy, 2)).toBe(-1);
  });

  it("prefers the tenant with fewer runs executing over an older or higher-priority backlog", () => {
    const waiting = [run("A", 0, 100), run("A", 1, 100), run("B", 9, -100)];
    const shares = sharesOf({ A: { running: 1, lastStarted: 1 } });
    expect(pickNext(waiting, shares, policy, 1)).toBe(2);
  });

  it("with equal shares, the tenant served least recently goes first (never served: first)", () => {
    const waiting = [run("A", 0), run("B", 5), run("C", 7)];
    const shares = sharesOf({
      A: { running: 1, lastStarted: 3 },
      B: { running: 1, lastStarted: 2 },
      C: { running: 1, lastStarted: 4 },
    });
    expect(pickNext(waiting, shares, policy, 3)).toBe(1);
    expect(pickNext(waiting, sharesOf({ A: { running: 0, lastStarted: 1 } }), policy, 0)).toBe(1);
  });

  it("with nothing else to tell them apart, the earlier head, then the tenant id", () => {
    expect(pickNext([run("A", 5), run("B", 3)], sharesOf({}), policy, 0)).toBe(1);
    expect(pickNext([run("B", 3), run("A", 3)], sharesOf({}), policy, 0)).toBe(1);
  });

  it("serves tenants round-robin on one slot, each in its own priority order", () => {
    const waiting = [
      run("A", 0, 100),
      run("A", 1, 100),
      run("A", 2, 100),
      run("B", 10),
      run("B", 11, 1),
      run("C", 20),
    ];
    const ids = new Map(waiting.map((w, i) => [w, `${w.tenantId}${i}`]));
    const shares: Record<string, TenantShare> = {};
    const order: string[] = [];
    for (let started = 1; waiting.length; started++) {
      const i = pickNext(waiting, sharesOf(shares), { concurrency: 1, perTenant: 1 }, 0);
      const [next] = waiting.splice(i, 1);
      shares[next.tenantId] = { running: 0, lastStarted: started };
      order.push(ids.get(next)!);
    }
    expect(order).toEqual(["A0", "B4", "C5", "A1", "B3", "A2"]);
  });
});
