/**
 * The pair-merge loop both tokenizer models share: symbols are the code points of one string, the
 * best-priority adjacent pair merges first (leftmost on ties), and each merge queues only the two new
 * pairs it creates — a heap with lazy invalidation instead of rescanning, so O(n log n). It is a
 * generator that pauses every few thousand steps, so that a word megabytes long (a run of letters, a
 * base64 blob) can be merged without holding the event loop.
 * @module
 */
import { Heap } from './heap.js';

interface Pair {
  left: number;
  right: number;
  priority: number;
  /** Combined length when queued; a different length later means a side has merged since. */
  length: number;
}

/** Steps (symbols read, pairs queued or popped, pieces cut) between two pauses. */
export const MERGE_STRIDE = 4096;

const first = (a: Pair, b: Pair): boolean =>
  a.priority < b.priority || (a.priority === b.priority && a.left < b.left);

/** Runs a paused computation to its end at once. */
export function runNow<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Merges the code points of `text` and returns the final pieces in order, pausing every
 * {@link MERGE_STRIDE} steps. `priority(left, right)` gives a pair's rank, lower merging first, or
 * undefined when the pair may not merge.
 */
export function* mergeSteps(
  text: string,
  priority: (left: string, right: string) => number | undefined,
): Generator<void, string[], void> {
  const starts: number[] = [];
  const length: number[] = [];
  for (let at = 0; at < text.length; at += length[length.length - 1] as number) {
    starts.push(at);
    length.push((text.codePointAt(at) as number) > 0xffff ? 2 : 1);
    if (starts.length % MERGE_STRIDE === 0) yield;
  }
  const n = starts.length;
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  const piece = (i: number): string => {
    const s = starts[i] as number;
    return text.slice(s, s + (length[i] as number));
  };
  const queue = new Heap<Pair>(first);
  const consider = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const rank = priority(piece(left), piece(right));
    if (rank === undefined) return;
    queue.push({ left, right, priority: rank, length: (length[left] as number) + (length[right] as number) });
  };
  for (let i = 1; i < n; i++) {
    consider(i - 1, i);
    if (i % MERGE_STRIDE === 0) yield;
  }

  let steps = 0;
  for (let pair = queue.pop(); pair !== undefined; pair = queue.pop()) {
    if (++steps % MERGE_STRIDE === 0) yield;
    const { left, right } = pair;
    const leftLength = length[left] as number;
    const rightLength = length[right] as number;
    if (leftLength === 0 || rightLength === 0 || leftLength + rightLength !== pair.length) continue;
    length[left] = pair.length;
    length[right] = 0;
    const after = next[right] as number;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    consider(prev[left] as number, left);
    consider(left, after);
  }

  const pieces: string[] = [];
  for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i] as number) {
    pieces.push(piece(i));
    if (pieces.length % MERGE_STRIDE === 0) yield;
  }
  return pieces;
}
