/**
 * The order of service shared by the priority queue and by preemption, which
 * picks its victim from the other end of the same order.
 */

/** The ordering keys every queued item carries. */
export interface QueueItem {
  /** Lower is served first (priority policy). */
  readonly priority: number;
  /** Epoch ms; earlier is served first among equal priorities. */
  readonly arrivalTimeMs: number;
  /** Acceptance order; the final tie-break, which makes the order total and deterministic. */
  readonly seq: number;
}

/** Orders by (priority, arrival, seq): negative when `a` is served before `b`. */
export function compareQueueItems(a: QueueItem, b: QueueItem): number {
  return a.priority - b.priority || a.arrivalTimeMs - b.arrivalTimeMs || a.seq - b.seq;
}
