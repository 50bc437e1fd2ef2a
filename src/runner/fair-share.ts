/**
 * Which waiting run gets the next free slot, fairly across tenants. Pure: the
 * inline driver keeps the inputs in memory; a queue driver can read the same
 * inputs from `scenario_runs` (queued rows; per tenant, rows RUNNING and the
 * latest `started_at`) and take the run this picks.
 *
 * The policy, in order:
 * 1. a tenant with `perTenant` runs executing gets no further slot;
 * 2. among the other tenants with waiting runs, the one with the fewest runs
 *    executing goes first (one tenant's backlog never delays another's first run);
 * 3. then the tenant that got a slot least recently (never before: first), so
 *    tenants take turns even with one slot (round-robin);
 * 4. then the tenant whose next run was queued earliest, then the tenant id;
 * 5. within the tenant: higher `priority` first, then first come first served.
 * Priority therefore orders a tenant's own runs and never another tenant's.
 */

/** What the policy needs of a waiting run. */
export interface FairCandidate {
  tenantId: string;
  priority: number;
  queuedAt: Date;
}

/** A tenant's use of the runner now. */
export interface TenantShare {
  /** Its runs executing now. */
  running: number;
  /** When it last got a slot: any increasing number (a counter, epoch milliseconds); absent when never. */
  lastStarted?: number;
}

export interface FairPolicy {
  /** Runs executing at once, in all. */
  concurrency: number;
  /** Runs of one tenant executing at once. */
  perTenant: number;
}

/** Within one tenant: higher priority first, then first come first served. */
export const runsBefore = (a: FairCandidate, b: FairCandidate): boolean =>
  a.priority > b.priority || (a.priority === b.priority && a.queuedAt < b.queuedAt);

const NEVER = -Infinity;

/**
 * The index in `waiting` of the run to start next, or -1 when none may start
 * (no run waits, every slot is taken, or every waiting tenant is at its cap).
 * `shares` gives each tenant's use of the runner (absent: nothing running, never served).
 * O(waiting).
 */
export function pickNext(
  waiting: readonly FairCandidate[],
  shares: (tenantId: string) => TenantShare | undefined,
  policy: FairPolicy,
  runningInAll: number,
): number {
  if (runningInAll >= policy.concurrency) return -1;
  // Each tenant's next run (its head), then the best head across tenants.
  const heads = new Map<string, number>();
  waiting.forEach((run, i) => {
    const head = heads.get(run.tenantId);
    if (head === undefined || runsBefore(run, waiting[head])) heads.set(run.tenantId, i);
  });
  let best = -1;
  let bestRunning = 0;
  let bestLast = 0;
  for (const [tenantId, i] of heads) {
    const share = shares(tenantId);
    const running = share?.running ?? 0;
    if (running >= policy.perTenant) continue;
    const last = share?.lastStarted ?? NEVER;
    if (best === -1 || tenantFirst(running, last, waiting[i], bestRunning, bestLast, waiting[best])) {
      best = i;
      bestRunning = running;
      bestLast = last;
    }
  }
  return best;
}

function tenantFirst(
  running: number,
  last: number,
  head: FairCandidate,
  otherRunning: number,
  otherLast: number,
  otherHead: FairCandidate,
): boolean {
  if (running !== otherRunning) return running < otherRunning;
  if (last !== otherLast) return last < otherLast;
  const at = head.queuedAt.getTime();
  const otherAt = otherHead.queuedAt.getTime();
  if (at !== otherAt) return at < otherAt;
  return head.tenantId < otherHead.tenantId;
}
