/**
 * The pair-merge loop both tokenizer models share: symbols are adjacent ranges of one string, the
 * best-priority adjacent pair merges first (leftmost on ties), and each merge queues only the two new
 * pairs it creates — a heap with lazy invalidation instead of rescanning, so O(n log n).
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

const first = (a: Pair, b: Pair): boolean =>
  a.priority < b.priority || (a.priority === b.priority && a.left < b.left);

/**
 * Merges the symbols of `text` that start at `starts` (ascending UTF-16 offsets, the first 0) and
 * returns the final pieces in order. `priority(left, right)` gives a pair's rank, lower merging
 * first, or undefined when the pair may not merge.
 */
export function mergePieces(
  text: string,
  starts: readonly number[],
  priority: (left: string, right: string) => number | undefined,
): string[] {
  const n = starts.length;
  const length = starts.map((s, i) => (starts[i + 1] ?? text.length) - s);
  const prev = starts.map((_, i) => i - 1);
  const next = starts.map((_, i) => (i + 1 < n ? i + 1 : -1));
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
  for (let i = 1; i < n; i++) consider(i - 1, i);

  for (let pair = queue.pop(); pair !== undefined; pair = queue.pop()) {
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
  for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i] as number) pieces.push(piece(i));
  return pieces;
}
