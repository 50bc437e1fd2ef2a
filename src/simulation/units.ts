import type { TimePeriod, TimeUnit } from "./types.js";

const SECONDS: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export const TIME_UNITS: readonly TimeUnit[] = ["seconds", "minutes", "hours", "days"];

/** Lower-cases a wire unit and returns it when known ("MINUTES" is accepted too). */
export function parseTimeUnit(u: unknown): TimeUnit | undefined {
  if (typeof u !== "string") return undefined;
  const l = u.toLowerCase();
  return (TIME_UNITS as readonly string[]).includes(l) ? (l as TimeUnit) : undefined;
}

/** Factor turning a time in `from` into a time in `to`. */
export function unitFactor(from: TimeUnit, to: TimeUnit): number {
  return SECONDS[from] / SECONDS[to];
}

/**
 * Convert a time between units as (value × seconds(from)) / seconds(to), which
 * keeps round values exact (60 minutes is exactly 1 hour, not 0.9999…).
 */
export function convertTime(value: number, from: TimeUnit, to: TimeUnit): number {
  return from === to ? value : (value * SECONDS[from]) / SECONDS[to];
}

const PERIOD_SECONDS: Record<TimePeriod, number> = { hourly: 3600, daily: 86400, monthly: 30 * 86400 };

/** Bucket length of a time period (1 h, 1 day, 30 days) in `timeUnit`. */
export function periodLength(period: TimePeriod, timeUnit: TimeUnit): number {
  return PERIOD_SECONDS[period] / SECONDS[timeUnit];
}
