/**
 * Simulated time and the warm-up switch, shared by every store and collector
 * of one replication (one object, so that advancing time is one write).
 *
 * Hidden classes, for every runtime class: V8 tracks each field's type (for
 * an object field, its exact class) as long as the field never holds anything
 * else, and then reads it without re-checking. Two things would widen it:
 * - a plain `x: T;` declaration is emitted as a class field (ES2022 define
 *   semantics), which first stores undefined; fields assigned in the
 *   constructor are therefore `declare`d, which emits nothing;
 * - a number field that starts as a small integer and later holds a fraction
 *   changes the object's map, and every object holding it loses that field's
 *   type. `now` therefore starts as NaN, a double, before the constructor
 *   sets 0.
 */
export class Clock {
  /** Simulated time (NaN only until the constructor sets 0, see above). */
  now = NaN;
  /** False during warm-up: counts and sums are not collected until the warm-up ends. */
  inStats = false;

  constructor(inStats: boolean) {
    this.now = 0;
    this.inStats = inStats;
  }
}
