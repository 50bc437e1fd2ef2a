/**
 * Compiles the generators that follow the clock (PATTERN and SCHEDULED,
 * §5.3, decisions Q5 and Q12) into typed tables for runtime/arrivals.ts.
 * A model whose generators are all FREQUENCY gets none (`arrivals: null`),
 * so the interval generators pay nothing.
 */
import type { LogicBuilder } from "./compile-logic.js";
import { ModelCalendar, parseIsoDateTime, wallIn, type IsoDateTime } from "./model/calendar-time.js";
import { WEIGHT_LENGTHS } from "./model/validate-arrivals.js";
import type {
  ArrivalPattern,
  ArrivalSchedule,
  Duration,
  GeneratorCore,
  QuodsiModel,
  TimeUnit,
} from "./types.js";
import { convertTime, parseTimeUnit, unitFactor } from "./units.js";

/** How a generator creates entities. */
export const enum GenMode {
  Frequency = 0,
  Pattern = 1,
  Scheduled = 2,
}

/** A pattern's cycle: the period over which `volume` arrivals are expected. */
export const enum CycleKind {
  Day = 0,
  Week = 1,
  Year = 2,
}

/** Per generator (in CompiledModel.generatorIds order); entries of other modes are unused. */
export interface CompiledArrivals {
  mode: Uint8Array;
  // --- PATTERN
  /** Expected arrivals per cycle. */
  volume: Float64Array;
  cycle: Uint8Array;
  /** 1 when season weights are per month (12), 0 per week of the year (52). */
  seasonByMonth: Uint8Array;
  /** Weights, each list of its full length (uniform lists filled with 1). */
  season: Float64Array[];
  dayOfWeek: Float64Array[];
  /** 168 hour-of-week weights, Monday 00:00 first. */
  hourOfWeek: Float64Array[];
  /** Duration index of the within-hour offset (in minutes, converted to the clock unit). */
  offset: Int32Array;
  /** Random stream of the hourly Poisson counts. */
  countStream: Int32Array;
  // --- SCHEDULED: rows [rowStart, rowStart + rowCount) sorted by time (then document order)
  rowStart: Int32Array;
  rowCount: Int32Array;
  rowTime: Float64Array;
  rowEntity: Int32Array;
  rowQuantity: Int32Array;
  /** Modification list setting the row's stateValues, -1 for none. */
  rowMods: Int32Array;
}

const DEFAULT_OFFSET: Duration = { unit: "minutes", distribution: "uniform", min: 0, max: 60 };

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "");

function weights(list: readonly number[] | null | undefined, length: number): Float64Array {
  if (!list || list.length === 0) return new Float64Array(length).fill(1);
  if (list.length === length) return Float64Array.from(list);
  // hourWeights of 24: the same hours every day of the week.
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = list[i % list.length];
  return out;
}

/** The model's clock against the calendar (clock mode: t = 0 is Monday 00:00, decision Q5). */
export function modelCalendar(model: QuodsiModel, timeUnit: TimeUnit): ModelCalendar {
  const calendar = lower(model.timeMode) === "calendar";
  const start = calendar ? parseIsoDateTime(model.startDateTime) : null;
  return new ModelCalendar(
    calendar,
    typeof start === "object" ? start : null,
    unitFactor(timeUnit, "seconds"),
  );
}

/**
 * Tables of the timed generators among `sources`, or null when there are
 * none. `stream` and `duration` register random streams and durations in
 * the model's tables; `logic` turns a row's stateValues into a modification
 * list (present whenever states are declared, which stateValues need).
 */
export function compileArrivals(
  model: QuodsiModel,
  sources: ReadonlyArray<{ core: GeneratorCore; id: string }>,
  entityIndex: ReadonlyMap<string, number>,
  logic: LogicBuilder | null,
  calendar: ModelCalendar,
  timeUnit: TimeUnit,
  stream: (key: string) => number,
  duration: (d: Duration, key: string) => number,
): CompiledArrivals | null {
  const modeOf = (c: GeneratorCore): GenMode => {
    const m = lower(c.mode);
    return m === "pattern" ? GenMode.Pattern : m === "scheduled" ? GenMode.Scheduled : GenMode.Frequency;
  };
  if (sources.every((s) => modeOf(s.core) === GenMode.Frequency)) return null;
  const patterns = new Map((model.arrivalPatterns ?? []).map((p) => [p.id, p]));
  const schedules = new Map((model.arrivalSchedules ?? []).map((s) => [s.id, s]));
  const G = Math.max(1, sources.length);
  const out: CompiledArrivals = {
    mode: new Uint8Array(G),
    volume: new Float64Array(G),
    cycle: new Uint8Array(G),
    seasonByMonth: new Uint8Array(G),
    season: [],
    dayOfWeek: [],
    hourOfWeek: [],
    offset: new Int32Array(G).fill(-1),
    countStream: new Int32Array(G).fill(-1),
    rowStart: new Int32Array(G),
    rowCount: new Int32Array(G),
    rowTime: new Float64Array(0),
    rowEntity: new Int32Array(0),
    rowQuantity: new Int32Array(0),
    rowMods: new Int32Array(0),
  };
  const empty = new Float64Array(0);
  const rowTime: number[] = [];
  const rowEntity: number[] = [];
  const rowQuantity: number[] = [];
  const rowMods: number[] = [];
  const modelOffset = calendar.offsetMinutes;

  sources.forEach(({ core, id }, g) => {
    const mode = modeOf(core);
    out.mode[g] = mode;
    out.season.push(empty);
    out.dayOfWeek.push(empty);
    out.hourOfWeek.push(empty);
    out.rowStart[g] = rowTime.length;
    if (mode === GenMode.Pattern) {
      const p = patterns.get(core.arrivalPatternId!) as ArrivalPattern;
      out.volume[g] = core.volume!;
      const cycle = lower(p.cycle);
      out.cycle[g] = cycle === "day" ? CycleKind.Day : cycle === "year" ? CycleKind.Year : CycleKind.Week;
      const byMonth = lower(p.seasonMode) === "month";
      out.seasonByMonth[g] = byMonth ? 1 : 0;
      out.season[g] = weights(p.seasonWeights, byMonth ? WEIGHT_LENGTHS.month : WEIGHT_LENGTHS.week);
      out.dayOfWeek[g] = weights(p.dayOfWeekWeights, WEIGHT_LENGTHS.dayOfWeekWeights);
      out.hourOfWeek[g] = weights(p.hourWeights, WEIGHT_LENGTHS.hourWeights);
      const off = p.withinHourOffset
        ? ({ unit: "minutes", ...p.withinHourOffset } as Duration)
        : DEFAULT_OFFSET;
      out.offset[g] = duration(off, `generator:${id}/withinHourOffset`);
      out.countStream[g] = stream(`generator:${id}/arrivals`);
    } else if (mode === GenMode.Scheduled) {
      const s = schedules.get(core.arrivalScheduleId!) as ArrivalSchedule;
      const unit = parseTimeUnit(s.timeUnit) ?? "minutes";
      const rows = (s.arrivals ?? []).map((r, j) => {
        let t: number;
        if (typeof r.time === "number") t = convertTime(r.time, unit, timeUnit);
        else t = calendar.timeOf(wallIn(parseIsoDateTime(r.time) as IsoDateTime, modelOffset));
        return { r, j, t };
      });
      rows.sort((a, b) => a.t - b.t || a.j - b.j);
      for (const { r, j, t } of rows) {
        rowTime.push(t);
        rowEntity.push(r.entityId ? entityIndex.get(r.entityId)! : entityIndex.get(core.entityId)!);
        rowQuantity.push(r.quantity ?? 1);
        const values = Object.entries(r.stateValues ?? {});
        if (values.length === 0 || !logic) rowMods.push(-1);
        else {
          // Keys are state ids first, then entity state names (decision Q12).
          const byName = new Map(
            (model.states ?? []).filter((x) => x.componentType === "entity").map((x) => [x.name, x.id]),
          );
          const ids = new Set((model.states ?? []).map((x) => x.id));
          const mods = values.map(([key, value]) => ({
            stateId: ids.has(key) ? key : byName.get(key)!,
            operation: "assign" as const,
            value,
          }));
          rowMods.push(logic.modifications(mods, `generator:${id}/schedule/arrivals[${j}]/stateValues`));
        }
      }
    }
    out.rowCount[g] = rowTime.length - out.rowStart[g];
  });
  out.rowTime = Float64Array.from(rowTime);
  out.rowEntity = Int32Array.from(rowEntity);
  out.rowQuantity = Int32Array.from(rowQuantity);
  out.rowMods = Int32Array.from(rowMods);
  return out;
}
