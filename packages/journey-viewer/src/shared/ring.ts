/**
 * A fixed-capacity ring buffer: pushing onto a full ring evicts the oldest
 * item, so memory stays bounded however long the server runs.
 * @module
 */

/** The most recent `capacity` items, oldest first. */
export class Ring<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  /** Throws a RangeError unless `capacity` is a positive integer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring capacity must be a positive integer (got ${String(capacity)})`);
    }
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Items held. */
  get size(): number {
    return this.#size;
  }

  /** Appends `item`; returns the item it evicted, if the ring was full. */
  push(item: T): T | undefined {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size++;
      return undefined;
    }
    const evicted = this.#items[this.#start];
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#items[(this.#start + i) % this.capacity]!;
  }

  /** A copy, oldest first. */
  toArray(): T[] {
    return [...this];
  }

  /** Empties the ring. */
  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#size = 0;
  }
}
