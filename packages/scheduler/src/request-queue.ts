/**
 * The waiting queue as a strategy object, as in vLLM's `RequestQueue`: the
 * scheduler only peeks, pops, pushes and removes, and the policy decides order.
 */
import { FcfsQueue } from './fcfs-queue.js';
import { PriorityQueue } from './priority-queue.js';
import type { QueueItem } from './queue-order.js';

/** How waiting requests are ordered (and, when memory runs out, which running request is preempted). */
export type SchedulingPolicy = 'fcfs' | 'priority';

/** A waiting queue; iteration visits items in the order they would be served. */
export interface RequestQueue<T extends QueueItem> extends Iterable<T> {
  /** Items queued. */
  readonly size: number;
  /** Queues a newly arrived item. */
  push(item: T): void;
  /** Re-queues a preempted item so it is served before newer arrivals (fcfs: the very front). */
  pushFront(item: T): void;
  /** The item that would be served next, without removing it. */
  peek(): T | undefined;
  /** Removes and returns the item served next. */
  pop(): T | undefined;
  /** Removes a specific item (an abort); returns false when it was not queued. O(n). */
  remove(item: T): boolean;
}

/** The queue for a policy. */
export function createRequestQueue<T extends QueueItem>(policy: SchedulingPolicy): RequestQueue<T> {
  switch (policy) {
    case 'fcfs':
      return new FcfsQueue<T>();
    case 'priority':
      return new PriorityQueue<T>();
  }
}
