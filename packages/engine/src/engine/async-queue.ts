/**
 * A single-consumer queue that a producer pushes into and an async iterator
 * drains: how a request's outputs cross from the engine loop to its caller.
 * @module
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #waiter: ((r: IteratorResult<T>) => void) | undefined;
  #failWaiter: ((e: unknown) => void) | undefined;
  #closed = false;
  #error: unknown;
  readonly #onReturn: () => void;

  /** `onReturn` runs when the consumer stops early (break, throw): the place to abort. */
  constructor(onReturn: () => void = () => {}) {
    this.#onReturn = onReturn;
  }

  push(item: T): void {
    if (this.#closed) return;
    if (this.#waiter) this.#settle({ value: item, done: false });
    else this.#items.push(item);
  }

  /** Ends the stream after the queued items. */
  close(): void {
    this.#closed = true;
    if (this.#waiter && this.#items.length === 0) this.#settle({ value: undefined, done: true });
  }

  /** Ends the stream with an error, thrown after the queued items. */
  fail(error: unknown): void {
    this.#error = error;
    this.#closed = true;
    if (this.#failWaiter && this.#items.length === 0) {
      const reject = this.#failWaiter;
      this.#waiter = this.#failWaiter = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length) return Promise.resolve({ value: this.#items.shift()!, done: false });
    if (this.#closed) {
      return this.#error === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.#closed) {
      this.#closed = true;
      this.#items.length = 0;
      this.#onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #settle(result: IteratorResult<T>): void {
    const resolve = this.#waiter!;
    this.#waiter = this.#failWaiter = undefined;
    resolve(result);
  }
}
