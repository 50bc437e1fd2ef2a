/**
 * The parts of `validateModel` for arrivals that follow the clock
 * (§2.1, §2.11, §2.13, §5.3, decisions Q5 and Q12): the clock mode and
 * `startDateTime`, the model's `arrivalPatterns` and `arrivalSchedules`, and
 * a generator's PATTERN and SCHEDULED fields.
 */
import { validateDuration } from "../durations.js";
import { parseTimeUnit, TIME_UNITS } from "../units.js";
import { parseIsoDateTime, wallIn, type IsoDateTime } from "./calendar-time.js";
import { type Issues, type Obj, isAbsent, isFiniteNumber, isInt, isObject } from "./issues.js";
import { describe, type StateInfo, type StateTable, valueProblem } from "./states.js";

export const CYCLES = ["day", "week", "year"] as const;
export type Cycle = (typeof CYCLES)[number];
export const SEASON_MODES = ["week", "month"] as const;
/** Values of each weight list (hourWeights also accepts 24: the same hours every day). */
export const WEIGHT_LENGTHS = { week: 52, month: 12, dayOfWeekWeights: 7, hourWeights: 168 } as const;
/** Rows of one arrival schedule at most (each row is one event). */
export const MAX_SCHEDULE_ROWS = 100_000;
/** Entities of one schedule row at most (as a frequency generator's batch). */
export const MAX_ROW_QUANTITY = 1000;

/** The clock mode as read: calendar or not, and the start (calendar mode). */
export interface ClockMode {
  calendar: boolean;
  start: IsoDateTime | null;
}

/** Lower-case string, or undefined. */
const lower = (v: unknown): string | undefined => (typeof v === "string" ? v.toLowerCase() : undefined);

/** `timeMode` (`clock` by default, case-insensitive) and `startDateTime` (required in calendar mode). */
export function checkClockMode(is: Issues, m: Obj): ClockMode {
  let calendar = false;
  if (!isAbsent(m.timeMode)) {
    const mode = lower(m.timeMode);
    if (mode === "calendar") calendar = true;
    else if (mode !== "clock")
      is.add("timeMode", `must be clock or calendar (got ${JSON.stringify(m.timeMode)})`);
  }
  let start: IsoDateTime | null = null;
  if (!isAbsent(m.startDateTime)) {
    const t = parseIsoDateTime(m.startDateTime);
    if (typeof t === "string") is.add("startDateTime", t);
    else if (calendar) start = t;
    else is.warn("startDateTime", "is ignored: timeMode is clock (t = 0 is Monday 00:00)");
  } else if (calendar)
    is.add(
      "startDateTime",
      "is required in calendar mode (the date and time of t = 0, e.g. 2026-03-02T08:00:00)",
    );
  return { calendar, start };
}

function checkWeights(
  is: Issues,
  o: Obj,
  key: string,
  p: string,
  lengths: readonly number[],
  what: string,
): void {
  const v = o[key];
  if (isAbsent(v)) return;
  if (!Array.isArray(v)) return is.add(`${p}.${key}`, `must be an array of ${lengths[0]} weights ${what}`);
  if (v.length === 0) return; // uniform
  if (!lengths.includes(v.length))
    return is.add(
      `${p}.${key}`,
      `must have ${lengths.join(" or ")} values ${what} (got ${v.length}); an empty list means uniform`,
    );
  let bad = false;
  v.forEach((w, i) => {
    if (!(isFiniteNumber(w) && w >= 0)) {
      is.add(`${p}.${key}[${i}]`, `must be a finite number >= 0 (got ${JSON.stringify(w)})`);
      bad = true;
    }
  });
  if (!bad && v.every((w) => w === 0))
    is.add(
      `${p}.${key}`,
      "all weights are 0: the pattern would never create anything (an empty list means uniform)",
    );
}

/**
 * The unitless `withinHourOffset` sample, read as a Duration in minutes: a
 * constant must lie in [0, 60) and a uniform or triangular range within
 * [0, 60]; other distributions are clamped into the hour when sampled.
 */
function checkOffset(is: Issues, v: unknown, p: string): void {
  if (isAbsent(v)) return;
  if (!isObject(v))
    return is.add(
      p,
      'must be a sample in minutes, e.g. {"value": 15} or {"distribution": "uniform", "min": 0, "max": 30}',
    );
  const issues = validateDuration({ unit: "minutes", ...v }, p);
  if (issues.length) return is.addAll(issues);
  const d = v.distribution === undefined || v.distribution === null ? "constant" : lower(v.distribution);
  if (d === "constant" && !((v.value as number) >= 0 && (v.value as number) < 60))
    is.add(`${p}.value`, "must be a minute within the hour: >= 0 and < 60");
  if ((d === "uniform" || d === "triangular") && !((v.min as number) >= 0 && (v.max as number) <= 60))
    is.add(p, "min and max must lie within the hour (0 to 60 minutes)");
}

/** A weight list of one of `lengths`, every value a finite number >= 0; else undefined. */
function numbers(v: unknown, lengths: readonly number[]): number[] | undefined {
  if (!Array.isArray(v) || !lengths.includes(v.length)) return undefined;
  const list = v as unknown[];
  return list.every((w) => isFiniteNumber(w) && w >= 0) ? (list as number[]) : undefined;
}

/** Ids of the patterns and schedules, for the generators' references. */
export interface ArrivalRefs {
  patternIds: ReadonlySet<string>;
  scheduleIds: ReadonlySet<string>;
}

/** `arrivalPatterns[]`: ids, cycle, season mode, weights, count mode, offset. */
export function checkArrivalPatterns(is: Issues, m: Obj): Set<string> {
  const ids = new Set<string>();
  const list = m.arrivalPatterns;
  if (isAbsent(list)) return ids;
  if (!Array.isArray(list)) {
    is.add("arrivalPatterns", "must be an array");
    return ids;
  }
  list.forEach((o, i) => {
    const p = `arrivalPatterns[${i}]`;
    if (!isObject(o)) return is.add(p, "must be an object");
    if (typeof o.id !== "string" || o.id === "") is.add(`${p}.id`, "is required (non-empty string)");
    else if (ids.has(o.id)) is.add(`${p}.id`, `duplicate arrival pattern id ${JSON.stringify(o.id)}`);
    else ids.add(o.id);
    if (!isAbsent(o.cycle) && !CYCLES.includes(lower(o.cycle) as Cycle))
      is.add(`${p}.cycle`, `must be one of ${CYCLES.join(", ")} (got ${JSON.stringify(o.cycle)})`);
    let season = "week";
    if (!isAbsent(o.seasonMode)) {
      const s = lower(o.seasonMode);
      if (s === "week" || s === "month") season = s;
      else is.add(`${p}.seasonMode`, `must be week or month (got ${JSON.stringify(o.seasonMode)})`);
    }
    checkWeights(
      is,
      o,
      "seasonWeights",
      p,
      [WEIGHT_LENGTHS[season as "week" | "month"]],
      season === "week" ? "(one per week of the year)" : "(one per month)",
    );
    checkWeights(is, o, "dayOfWeekWeights", p, [7], "(Monday first)");
    checkWeights(
      is,
      o,
      "hourWeights",
      p,
      [168, 24],
      "(168: weekday × 24 + hour, Monday 00:00 first; or 24 hours of every day)",
    );
    const dow = numbers(o.dayOfWeekWeights, [7]);
    const hours = numbers(o.hourWeights, [168, 24]);
    if (
      dow &&
      hours &&
      dow.some((w) => w > 0) &&
      !Array.from({ length: 168 }, (_, h) => dow[Math.floor(h / 24)] * hours[h % hours.length]).some(
        (w) => w > 0,
      )
    )
      is.add(p, "no hour has weight: every day with a dayOfWeekWeights weight has hourWeights of 0");
    if (!isAbsent(o.countMode) && lower(o.countMode) !== "poisson")
      is.add(`${p}.countMode`, `must be poisson, the only count mode (got ${JSON.stringify(o.countMode)})`);
    checkOffset(is, o.withinHourOffset, `${p}.withinHourOffset`);
  });
  return ids;
}

/** A state named by a schedule row's `stateValues` key: an id first, then an entity state name (Q12). */
function rowState(states: StateTable, key: string): StateInfo | undefined {
  return states.byId.get(key) ?? states.byName.entity.get(key);
}

/**
 * `arrivalSchedules[]`: ids, unit, rows (time, entity, quantity, state
 * values). Numeric times are offsets in the schedule's `timeUnit` and must be
 * >= 0; ISO date-times need calendar mode and must not be before
 * `startDateTime`.
 */
export function checkArrivalSchedules(
  is: Issues,
  m: Obj,
  refs: { entityIds: ReadonlySet<string>; states: StateTable },
  clock: ClockMode,
): Set<string> {
  const ids = new Set<string>();
  const list = m.arrivalSchedules;
  if (isAbsent(list)) return ids;
  if (!Array.isArray(list)) {
    is.add("arrivalSchedules", "must be an array");
    return ids;
  }
  list.forEach((o, i) => {
    const p = `arrivalSchedules[${i}]`;
    if (!isObject(o)) return is.add(p, "must be an object");
    if (typeof o.id !== "string" || o.id === "") is.add(`${p}.id`, "is required (non-empty string)");
    else if (ids.has(o.id)) is.add(`${p}.id`, `duplicate arrival schedule id ${JSON.stringify(o.id)}`);
    else ids.add(o.id);
    if (!isAbsent(o.timeUnit) && !parseTimeUnit(o.timeUnit))
      is.add(`${p}.timeUnit`, `must be one of ${TIME_UNITS.join(", ")} (got ${JSON.stringify(o.timeUnit)})`);
    const rows = o.arrivals;
    if (isAbsent(rows)) return;
    if (!Array.isArray(rows))
      return is.add(`${p}.arrivals`, "must be an array of {time, entityId, quantity, stateValues}");
    if (rows.length > MAX_SCHEDULE_ROWS)
      return is.add(`${p}.arrivals`, `has ${rows.length} rows; at most ${MAX_SCHEDULE_ROWS}`);
    rows.forEach((r, j) => {
      const rp = `${p}.arrivals[${j}]`;
      if (!isObject(r)) return is.add(rp, "must be an object {time, entityId, quantity, stateValues}");
      if (typeof r.time === "number") {
        if (!(Number.isFinite(r.time) && r.time >= 0))
          is.add(`${rp}.time`, "must be a finite number >= 0 (an offset from the start)");
      } else if (typeof r.time === "string") {
        if (!clock.calendar)
          is.add(
            `${rp}.time`,
            'an ISO date-time needs timeMode "calendar" (in clock mode a time is a number: an offset in the schedule\'s timeUnit)',
          );
        else {
          const t = parseIsoDateTime(r.time);
          if (typeof t === "string") is.add(`${rp}.time`, t);
          else if (clock.start && wallIn(t, clock.start.offsetMinutes ?? 0) < clock.start.wallMs)
            is.add(
              `${rp}.time`,
              `${JSON.stringify(r.time)} is before startDateTime ${JSON.stringify(m.startDateTime)}`,
            );
        }
      } else is.add(`${rp}.time`, "is required: an offset (number) or, in calendar mode, an ISO date-time");
      if (!isAbsent(r.entityId) && r.entityId !== "") {
        if (typeof r.entityId !== "string") is.add(`${rp}.entityId`, "must be the id of an entity (string)");
        else if (!refs.entityIds.has(r.entityId))
          is.add(`${rp}.entityId`, `references unknown entity ${JSON.stringify(r.entityId)}`);
      }
      if (!isAbsent(r.quantity) && !(isInt(r.quantity) && r.quantity >= 0 && r.quantity <= MAX_ROW_QUANTITY))
        is.add(`${rp}.quantity`, `must be an integer from 0 to ${MAX_ROW_QUANTITY}`);
      const sv = r.stateValues;
      if (isAbsent(sv)) return;
      if (!isObject(sv)) return is.add(`${rp}.stateValues`, "must be an object {state id or name: value}");
      for (const [key, value] of Object.entries(sv)) {
        const kp = `${rp}.stateValues.${key}`;
        const s = rowState(refs.states, key);
        if (!s) {
          if (!refs.states.malformedIds.has(key) && !refs.states.malformedNames.has(key))
            is.add(
              kp,
              `references unknown entity state ${JSON.stringify(key)} (an id or the name of an entity state)`,
            );
          continue;
        }
        if (s.scope !== "entity") {
          is.add(kp, `must name an entity state; ${describe(s)}`);
          continue;
        }
        const bad = valueProblem(s, value, "literal");
        if (bad) is.add(kp, bad);
      }
    });
  });
  return ids;
}

const FREQUENCY_ONLY = ["interarrivalTime", "startDelay", "batchSize", "maxCycles"] as const;

/**
 * A generator core's PATTERN fields (arrivalPatternId, volume > 0) or
 * SCHEDULED field (arrivalScheduleId); the frequency-only fields in those
 * modes are ignored, with a warning.
 */
export function checkGeneratorArrivals(is: Issues, refs: ArrivalRefs, o: Obj, p: string, mode: string): void {
  if (mode === "FREQUENCY") return;
  for (const key of FREQUENCY_ONLY)
    if (!isAbsent(o[key]))
      is.warn(`${p}.${key}`, `is ignored: the generator's mode is ${mode.toLowerCase()}`);
  if (mode === "PATTERN") {
    if (typeof o.arrivalPatternId !== "string" || o.arrivalPatternId === "")
      is.add(`${p}.arrivalPatternId`, "is required in pattern mode (the id of one of arrivalPatterns)");
    else if (!refs.patternIds.has(o.arrivalPatternId))
      is.add(
        `${p}.arrivalPatternId`,
        `references unknown arrival pattern ${JSON.stringify(o.arrivalPatternId)}`,
      );
    if (isAbsent(o.volume))
      is.add(`${p}.volume`, "is required in pattern mode (expected arrivals per pattern cycle)");
    else if (!(isFiniteNumber(o.volume) && o.volume > 0))
      is.add(`${p}.volume`, `must be a finite number > 0 (got ${JSON.stringify(o.volume)})`);
  } else {
    if (typeof o.arrivalScheduleId !== "string" || o.arrivalScheduleId === "")
      is.add(`${p}.arrivalScheduleId`, "is required in scheduled mode (the id of one of arrivalSchedules)");
    else if (!refs.scheduleIds.has(o.arrivalScheduleId))
      is.add(
        `${p}.arrivalScheduleId`,
        `references unknown arrival schedule ${JSON.stringify(o.arrivalScheduleId)}`,
      );
  }
}
