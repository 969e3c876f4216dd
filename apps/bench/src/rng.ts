/**
 * Seeded random sources. Each part of a workload (lengths, arrivals, each
 * prompt's words) draws from its own stream, derived from the seed and a
 * name, so changing one part (more prompts, another rate) leaves the others'
 * draws as they were.
 * @module
 */
import { randomLcg } from 'd3-random';

/** A source of uniform numbers in [0, 1). */
export type Source = () => number;

/** The stream called `name` under `seed` (FNV-1a of both, feeding d3's linear congruential generator). */
export function seededSource(seed: number, name: string): Source {
  let hash = 0x811c9dc5;
  for (const ch of `${seed}/${name}`) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return randomLcg(hash >>> 0);
}
