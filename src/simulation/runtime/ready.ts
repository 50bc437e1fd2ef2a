/** What a zero-time follow-up does; low READY_KIND_BITS of the ring word, the entity above. */
export const enum ReadyKind {
  /** Run the entity's actions from its pc. */
  Run = 0,
  /** Leave the current position for the destination where room was reserved. */
  Depart = 1,
  /** Arrive at the destination. */
  Arrive = 2,
}

export const READY_KIND_BITS = 3;
export const READY_KIND_MASK = (1 << READY_KIND_BITS) - 1;

/**
 * FIFO ring of zero-time follow-ups (an entity taking a freed slot, a granted
 * resource request, an arrival after a zero travel time), processed before
 * the next calendar event. It keeps every handler O(1) and free of recursion
 * however long the chain of knock-on effects. Power-of-two capacity, doubled
 * when full.
 */
export class ReadyRing {
  private ring = new Int32Array(1024);
  private head = 0;
  private len = 0;

  get length(): number {
    return this.len;
  }

  push(e: number, kind: ReadyKind): void {
    if (this.len === this.ring.length) this.grow();
    this.ring[(this.head + this.len) & (this.ring.length - 1)] = (e << READY_KIND_BITS) | kind;
    this.len++;
  }

  /** Remove the oldest item (length > 0) and return its word: entity << READY_KIND_BITS | kind. */
  shift(): number {
    const w = this.ring[this.head];
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.len--;
    return w;
  }

  private grow(): void {
    const n = this.ring.length * 2;
    const b = new Int32Array(n);
    for (let i = 0; i < this.len; i++) b[i] = this.ring[(this.head + i) & (this.ring.length - 1)];
    this.ring = b;
    this.head = 0;
  }
}
