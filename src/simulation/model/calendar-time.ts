/**
 * Dates for the model's clock (ENGINE-SEMANTICS §2.1, §5.3 and decision Q5):
 * reading ISO date-times, and the calendar day behind every simulated hour,
 * which arrival patterns and the time-series buckets need.
 *
 * Calendar time is a wall clock without time zones or daylight saving: a
 * date-time is read as the date and time it names. A trailing `Z` or offset
 * (`+02:00`) is accepted; the model's `startDateTime` fixes the model's
 * offset, and a schedule time carrying another offset is shifted into it
 * (the same instant), while one without an offset is read in the model's.
 *
 * Clock mode has no dates: t = 0 is Monday 00:00 of week 1 of a nominal year
 * of 52 weeks (364 days), whose month m (0-based) holds the days d with
 * ⌊12·d/364⌋ = m (January: days 0-30, February: 31-60, …). Calendar mode
 * uses the real Gregorian calendar from `startDateTime`. Week-of-year
 * season weights index ⌊dayOfYear/7⌋ (days 364 and 365 of a calendar year
 * use the 52nd).
 */

const MS_HOUR = 3_600_000;
export const MS_DAY = 86_400_000;

/** A parsed ISO date-time: its wall-clock fields as a UTC millisecond count, and its offset if written. */
export interface IsoDateTime {
  /** Wall-clock time in ms since 1970-01-01 00:00, the fields read as if in UTC. */
  wallMs: number;
  /** Offset from UTC in minutes (`Z` = 0), or null when none is written. */
  offsetMinutes: number | null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number) =>
  [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m];

/**
 * Reads `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `…:SS`, `…:SS.fff`, each with an
 * optional `Z` or `±HH:MM`; a space may replace the `T`. Returns a message
 * naming the problem when the text is not such a date-time or names a day or
 * time that does not exist (2026-02-30, 24:00).
 */
export function parseIsoDateTime(text: unknown): IsoDateTime | string {
  if (typeof text !== "string") return "must be an ISO date-time string, e.g. 2026-03-02T08:00:00";
  const m = ISO.exec(text.trim());
  if (!m) return `${JSON.stringify(text)} is not an ISO date-time (e.g. 2026-03-02T08:00:00)`;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) =>
    x === undefined ? undefined : Number(x),
  ) as number[];
  if (mo < 1 || mo > 12) return `${JSON.stringify(text)}: month ${mo} does not exist`;
  if (d < 1 || d > daysInMonth(y, mo - 1))
    return `${JSON.stringify(text)}: day ${d} does not exist in that month`;
  if (h > 23 || mi > 59 || s > 59) return `${JSON.stringify(text)}: ${h}:${mi}:${s} is not a time of day`;
  const frac = m[7] ? Number(m[7]) * 1000 : 0;
  let offsetMinutes: number | null = null;
  if (m[8] === "Z") offsetMinutes = 0;
  else if (m[8]) {
    const [oh, om] = m[8].slice(1).split(":").map(Number);
    if (oh > 23 || om > 59) return `${JSON.stringify(text)}: offset ${m[8]} is not valid`;
    offsetMinutes = (m[8][0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return { wallMs: Date.UTC(y, mo - 1, d, h, mi, s) + frac, offsetMinutes };
}

/** Wall-clock ms of `t` in a model whose offset is `modelOffset` (a time without offset is already there). */
export function wallIn(t: IsoDateTime, modelOffset: number): number {
  return t.offsetMinutes === null ? t.wallMs : t.wallMs + (modelOffset - t.offsetMinutes) * 60_000;
}

/** What arrival patterns need to know about one day of the model's clock. */
export interface DayInfo {
  /** ISO weekday, 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** 0-based day of its year. */
  dayOfYear: number;
  /** Days in that year (364 in clock mode). */
  daysInYear: number;
  /** 0-based month. */
  month: number;
}

/**
 * The model's clock against the calendar. Day 0 is the day holding t = 0;
 * hour k (k ≥ 0) is hour k counted from day 0's midnight and starts at
 * clock time `midnight0 + k * hourLength` (`midnight0` ≤ 0: in calendar mode
 * the run may start during a day).
 */
export class ModelCalendar {
  /** Clock time of day 0's midnight (0 in clock mode). */
  declare readonly midnight0: number;
  /** One hour in the model's time unit. */
  declare readonly hourLength: number;
  /** Wall-clock ms of day 0's midnight (calendar mode), NaN in clock mode. */
  declare readonly day0Ms: number;
  /** Wall-clock ms of t = 0 (calendar mode), NaN in clock mode. */
  declare readonly startMs: number;
  /** The model's offset from UTC in minutes (calendar mode). */
  declare readonly offsetMinutes: number;
  /** Milliseconds per model time unit. */
  declare readonly unitMs: number;

  constructor(
    readonly calendar: boolean,
    start: IsoDateTime | null,
    unitSeconds: number,
  ) {
    this.unitMs = unitSeconds * 1000;
    this.hourLength = MS_HOUR / this.unitMs;
    if (calendar && start) {
      this.startMs = start.wallMs;
      this.offsetMinutes = start.offsetMinutes ?? 0;
      this.day0Ms = Math.floor(start.wallMs / MS_DAY) * MS_DAY;
      this.midnight0 = -(start.wallMs - this.day0Ms) / this.unitMs;
    } else {
      this.startMs = NaN;
      this.offsetMinutes = 0;
      this.day0Ms = NaN;
      this.midnight0 = 0;
    }
  }

  /** Day `d` (relative to day 0; negative before it). */
  day(d: number): DayInfo {
    if (!this.calendar) {
      const doy = ((d % 364) + 364) % 364;
      return {
        weekday: ((d % 7) + 7) % 7,
        dayOfYear: doy,
        daysInYear: 364,
        month: Math.floor((doy * 12) / 364),
      };
    }
    const ms = this.day0Ms + d * MS_DAY;
    const date = new Date(ms);
    const y = date.getUTCFullYear();
    return {
      weekday: (date.getUTCDay() + 6) % 7,
      dayOfYear: Math.round((ms - Date.UTC(y, 0, 1)) / MS_DAY),
      daysInYear: isLeap(y) ? 366 : 365,
      month: date.getUTCMonth(),
    };
  }

  /** Clock time of a wall-clock instant (calendar mode). */
  timeOf(wallMs: number): number {
    return (wallMs - this.startMs) / this.unitMs;
  }

  /** ISO text (no offset when the model has none written as 0) of clock time `t` (calendar mode). */
  isoAt(t: number): string {
    const ms = this.startMs + t * this.unitMs;
    const iso = new Date(Math.round(ms)).toISOString().slice(0, 19);
    if (this.offsetMinutes === 0) return iso;
    const o = Math.abs(this.offsetMinutes);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${iso}${this.offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(o / 60))}:${pad(o % 60)}`;
  }

  /**
   * Ends of the calendar periods (hours, days or months) after t = 0, up to
   * and including the first at or after `runTime`, merging every `every`
   * periods into one (calendar mode).
   */
  periodEnds(period: "hourly" | "daily" | "monthly", runTime: number, every: number): number[] {
    const ends: number[] = [];
    const next = (ms: number): number => {
      if (period === "hourly") return Math.floor(ms / MS_HOUR) * MS_HOUR + MS_HOUR;
      if (period === "daily") return Math.floor(ms / MS_DAY) * MS_DAY + MS_DAY;
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    };
    let ms = this.startMs;
    for (;;) {
      for (let k = 0; k < every; k++) ms = next(ms);
      const t = this.timeOf(ms);
      if (t >= runTime - 1e-9) {
        ends.push(runTime);
        return ends;
      }
      ends.push(t);
    }
  }
}
