/**
 * A binary min-heap; the merge loops of both tokenizers pop their best candidate pair from one so
 * that encoding stays O(n log n) instead of rescanning all pairs after every merge.
 * @module
 */

/** Min-heap ordered by `before(a, b)` (true when `a` must pop before `b`). */
export class Heap<T> {
  private readonly items: T[] = [];
  private readonly before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.before = before;
  }

  /** Number of queued items. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[parent] as T;
      if (!this.before(item, up)) break;
      items[i] = up;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the first item, or undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.before(items[right] as T, items[left] as T) ? right : left;
      const candidate = items[child] as T;
      if (!this.before(candidate, last)) break;
      items[i] = candidate;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
