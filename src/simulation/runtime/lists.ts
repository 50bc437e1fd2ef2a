/*
 * Intrusive linked lists over typed arrays: the links live in per-item arrays
 * (next, prev) and each list's ends in per-owner arrays (head, tail), so
 * queues of entities cost no allocation. The link arrays are passed at each
 * call because the entity pool may have reallocated them since.
 */

/** The empty link / "no index". */
export const NONE = -1;

/** Append `item` to owner's FIFO list (singly linked through `next`). */
export function fifoPush(
  head: Int32Array,
  tail: Int32Array,
  next: Int32Array,
  owner: number,
  item: number,
): void {
  next[item] = NONE;
  if (tail[owner] === NONE) head[owner] = item;
  else next[tail[owner]] = item;
  tail[owner] = item;
}

/** Remove and return the first item of owner's FIFO list, which must not be empty. */
export function fifoShift(head: Int32Array, tail: Int32Array, next: Int32Array, owner: number): number {
  const item = head[owner];
  head[owner] = next[item];
  if (head[owner] === NONE) tail[owner] = NONE;
  return item;
}

/** Append `item` to owner's doubly linked list. */
export function listPush(
  head: Int32Array,
  tail: Int32Array,
  next: Int32Array,
  prev: Int32Array,
  owner: number,
  item: number,
): void {
  next[item] = NONE;
  prev[item] = tail[owner];
  if (tail[owner] === NONE) head[owner] = item;
  else next[tail[owner]] = item;
  tail[owner] = item;
}

/** Unlink `item` from owner's doubly linked list, wherever it is. */
export function listUnlink(
  head: Int32Array,
  tail: Int32Array,
  next: Int32Array,
  prev: Int32Array,
  owner: number,
  item: number,
): void {
  const p = prev[item],
    n = next[item];
  if (p === NONE) head[owner] = n;
  else next[p] = n;
  if (n === NONE) tail[owner] = p;
  else prev[n] = p;
}
