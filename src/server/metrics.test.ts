import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";

const valueOf = async (metrics: ReturnType<typeof createMetrics>, name: string): Promise<number> => {
  const text = await metrics.registry.getSingleMetricAsString(name);
  const value = new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
  if (value === undefined) throw new Error(`no sample of ${name} in:\n${text}`);
  return Number(value);
};

/** Keeps the event loop busy for `ms` milliseconds: no timer can fire meanwhile. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  let spins = 0;
  while (performance.now() < until) spins++;
  expect(spins).toBeGreaterThan(0);
}

describe("event-loop delay in the metrics", () => {
  it("reports a stall of the event loop as the maximum delay since the previous scrape", async () => {
    const metrics = createMetrics({ active: 0, waiting: 0 });
    await metrics.registry.metrics(); // starts a new interval
    // The monitor's timer (10 ms resolution) records the time between two of its ticks, and a
    // scrape forgets the last tick: it needs one tick before the stall to measure the stall.
    await new Promise((r) => setTimeout(r, 50));
    blockEventLoop(150);
    await new Promise((r) => setTimeout(r, 30));
    await metrics.registry.metrics();
    // A scrape reads the delays since the previous one: the stall is in this interval.
    expect(await valueOf(metrics, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0.1);
    for (const quantile of ["p50", "p99"])
      expect(await valueOf(metrics, `nodejs_eventloop_lag_${quantile}_seconds`)).toBeGreaterThan(0);
  });
});
