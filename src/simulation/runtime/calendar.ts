/**
 * What a calendar event does when it comes due. The kind sits in the low
 * EVENT_KIND_BITS of the event word, the payload (an entity, generator or
 * other index) above it: 4 bits leave room for 12 more kinds (scheduled
 * arrivals, shifts, failures, repairs ...) with payloads up to 2^27.
 */
export const enum EventKind {
  /** A generator creates its next batch (payload: generator). */
  Generate = 0,
  /** An entity's delay ended (payload: entity). */
  OpDone = 1,
  /** An entity reaches its destination after travelling (payload: entity). */
  Arrive = 2,
  /** Warm-up over: statistics restart (payload: 0). */
  WarmupEnd = 3,
  // --- activity failures (runtime/failures.ts), only scheduled in models with failures
  /** An interruptible delay (Op.FailDelay) ended, unless a failure interrupted it since (payload: entity). */
  FailDelayDone = 4,
  /** A failure process's up time may be over: the activity fails (payload: failure process). */
  Failure = 5,
  /** A repair is over: the activity works again (payload: failure process). */
  Repair = 6,
  // --- pattern and scheduled generators (runtime/arrivals.ts), only scheduled in models with them
  /** A pattern generator's hour begins: draw its arrivals (payload: generator). */
  PatternHour = 7,
  /** One arrival of a pattern generator (payload: generator). */
  PatternArrival = 8,
  /** A scheduled generator's next row comes due (payload: generator). */
  ScheduledArrival = 9,
}

export const EVENT_KIND_BITS = 4;
export const EVENT_KIND_MASK = (1 << EVENT_KIND_BITS) - 1;

/**
 * The future event list: a binary heap over parallel typed arrays (time,
 * insertion sequence, event word), ordered by time and then by insertion so
 * that simultaneous events run FIFO. Nothing is allocated per event; the
 * arrays double when full.
 *
 * There is no cancellation: an event that no longer applies (a delay
 * interrupted by a failure) stays in the heap and its handler recognises it
 * (runtime/failures.ts counts each entity's stale events), so plain events
 * pay nothing for it.
 */
export class Calendar {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private time: Float64Array;
  declare private seq: Float64Array;
  declare private word: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 256) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.word = new Int32Array(capacity);
  }

  /** Number of pending events. */
  get size(): number {
    return this.n;
  }

  /** Time of the next event; only meaningful when size > 0. */
  nextTime(): number {
    return this.time[0];
  }

  schedule(t: number, kind: EventKind, payload: number): void {
    if (this.n === this.time.length) this.grow();
    const hT = this.time,
      hS = this.seq,
      hD = this.word;
    const s = this.nextSeq++;
    const d = (payload << EVENT_KIND_BITS) | kind;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hT[p];
      if (pt < t || (pt === t && hS[p] < s)) break;
      hT[i] = pt;
      hS[i] = hS[p];
      hD[i] = hD[p];
      i = p;
    }
    hT[i] = t;
    hS[i] = s;
    hD[i] = d;
  }

  /** Remove the next event (size > 0) and return its word: payload << EVENT_KIND_BITS | kind. */
  pop(): number {
    const hT = this.time,
      hS = this.seq,
      hD = this.word;
    const top = hD[0];
    const n = --this.n;
    if (n === 0) return top;
    const t = hT[n],
      s = hS[n],
      d = hD[n];
    let i = 0;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = hT[c];
      const r = c + 1;
      if (r < n) {
        const rt = hT[r];
        if (rt < ct || (rt === ct && hS[r] < hS[c])) {
          c = r;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && s < hS[c])) break;
      hT[i] = ct;
      hS[i] = hS[c];
      hD[i] = hD[c];
      i = c;
    }
    hT[i] = t;
    hS[i] = s;
    hD[i] = d;
    return top;
  }

  private grow(): void {
    const n = this.n * 2;
    const t2 = new Float64Array(n);
    t2.set(this.time);
    this.time = t2;
    const s2 = new Float64Array(n);
    s2.set(this.seq);
    this.seq = s2;
    const d2 = new Int32Array(n);
    d2.set(this.word);
    this.word = d2;
  }
}
