/**
 * When each request is sent: a Poisson process at `requestRate` requests per
 * second (exponential gaps), or, with `burstiness` ≠ 1, gamma-distributed gaps
 * of the same mean (shape = burstiness), as vLLM's `bench serve` draws them.
 * Burstiness below 1 clumps requests; above 1 spaces them more evenly.
 * @module
 */
import { randomGamma } from 'd3-random';
import { seededSource } from './rng.js';

/** How requests arrive. */
export interface ArrivalProcess {
  /** Requests per second; `Infinity` sends every request at once. */
  readonly requestRate: number;
  /** The gamma shape of the gaps; 1 is a Poisson process. */
  readonly burstiness: number;
}

/**
 * The send time of each of `count` requests, in seconds from the start of the
 * run: cumulative sums of the gaps, the first gap included (as vLLM does).
 */
export function arrivalOffsets(count: number, process: ArrivalProcess, seed: number): number[] {
  const { requestRate, burstiness } = process;
  if (requestRate === Infinity) return new Array<number>(count).fill(0);
  const gap = randomGamma.source(seededSource(seed, 'arrivals'))(burstiness, 1 / (requestRate * burstiness));
  const offsets: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += gap();
    offsets.push(t);
  }
  return offsets;
}
