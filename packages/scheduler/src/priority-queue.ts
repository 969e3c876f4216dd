/**
 * Priority queue on a binary heap ordered by (priority, arrival, seq): O(log n)
 * push and pop. A preempted request simply re-enters by its own keys, which
 * already place it ahead of later arrivals of equal priority.
 */
import { compareQueueItems, type QueueItem } from './queue-order.js';
import type { RequestQueue } from './request-queue.js';

/** Min-heap of queued items; lower priority value first. */
export class PriorityQueue<T extends QueueItem> implements RequestQueue<T> {
  readonly #heap: T[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(item: T): void {
    this.#heap.push(item);
    this.#siftUp(this.#heap.length - 1);
  }

  /** Same as {@link push}: order comes from the item's keys. */
  pushFront(item: T): void {
    this.push(item);
  }

  peek(): T | undefined {
    return this.#heap[0];
  }

  pop(): T | undefined {
    return this.#heap.length === 0 ? undefined : this.#removeAt(0);
  }

  remove(item: T): boolean {
    const index = this.#heap.indexOf(item);
    if (index < 0) return false;
    this.#removeAt(index);
    return true;
  }

  /** Visits a sorted copy, so iteration shows service order (O(n log n); for inspection). */
  [Symbol.iterator](): Iterator<T> {
    return this.#heap.slice().sort(compareQueueItems)[Symbol.iterator]();
  }

  #removeAt(index: number): T {
    const heap = this.#heap;
    const removed = heap[index]!;
    const last = heap.pop()!;
    if (index < heap.length) {
      heap[index] = last;
      this.#siftDown(index);
      this.#siftUp(index);
    }
    return removed;
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const item = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (compareQueueItems(item, heap[parent]!) >= 0) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = item;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const item = heap[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && compareQueueItems(heap[child + 1]!, heap[child]!) < 0) child++;
      if (compareQueueItems(heap[child]!, item) >= 0) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = item;
  }
}
