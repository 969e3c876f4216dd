/**
 * First-come-first-served queue on a growable ring buffer: O(1) push at either
 * end and pop from the front, with no array shifting on the hot path.
 */
import type { QueueItem } from './queue-order.js';
import type { RequestQueue } from './request-queue.js';

/** Arrival-order deque; preempted requests re-enter at the front. */
export class FcfsQueue<T extends QueueItem> implements RequestQueue<T> {
  #slots: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#reserve();
    this.#slots[this.#index(this.#size)] = item;
    this.#size++;
  }

  pushFront(item: T): void {
    this.#reserve();
    this.#head = this.#index(this.#slots.length - 1);
    this.#slots[this.#head] = item;
    this.#size++;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#slots[this.#head];
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = this.#index(1);
    this.#size--;
    return item;
  }

  remove(item: T): boolean {
    let found = -1;
    for (let i = 0; i < this.#size && found < 0; i++) if (this.#slots[this.#index(i)] === item) found = i;
    if (found < 0) return false;
    for (let i = found; i < this.#size - 1; i++)
      this.#slots[this.#index(i)] = this.#slots[this.#index(i + 1)];
    this.#slots[this.#index(this.#size - 1)] = undefined;
    this.#size--;
    return true;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#slots[this.#index(i)]!;
  }

  /** Physical slot of the `offset`-th item from the head (capacity is a power of two). */
  #index(offset: number): number {
    return (this.#head + offset) & (this.#slots.length - 1);
  }

  /** Doubles the ring when full, unrolling it so the head lands at slot 0. */
  #reserve(): void {
    if (this.#size < this.#slots.length) return;
    const grown = new Array<T | undefined>(this.#slots.length * 2);
    for (let i = 0; i < this.#size; i++) grown[i] = this.#slots[this.#index(i)];
    this.#slots = grown;
    this.#head = 0;
  }
}
