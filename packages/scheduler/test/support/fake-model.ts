/**
 * A deterministic fake model runner with a simulated paged KV memory. Each step
 * it writes the scheduled tokens into their slots, then samples by reading the
 * whole sequence back through the block table, so a wrong block table, a bad
 * prefix-cache hit or a lost token changes (or breaks) the output.
 */
import { slotOf, type SchedulerOutput } from '../../src/index.js';

/** Fake model settings. */
export interface FakeModelOptions {
  readonly numBlocks: number;
  readonly blockSize: number;
  /** Tokens are drawn from [0, vocabSize). */
  readonly vocabSize?: number;
}

/** The next token as a pure function of the sequence: FNV-1a over all tokens, mod vocab. */
export function nextToken(tokens: ArrayLike<number>, length: number, vocabSize: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ tokens[i]!, 0x01000193);
  return (h >>> 0) % vocabSize;
}

/** Executes scheduler outputs against its own KV memory. */
export class FakeModel {
  readonly #memory: Int32Array;
  readonly #blockSize: number;
  readonly #vocabSize: number;
  readonly #sequence: number[] = [];

  constructor(options: FakeModelOptions) {
    this.#memory = new Int32Array(options.numBlocks * options.blockSize).fill(-1);
    this.#blockSize = options.blockSize;
    this.#vocabSize = options.vocabSize ?? 32;
  }

  /** Runs one step; returns one sampled token per scheduled entry (-1 where none is sampled). */
  run(output: SchedulerOutput): number[] {
    const bs = this.#blockSize;
    for (const entry of output.scheduled) {
      for (let j = 0; j < entry.numTokens; j++) {
        this.#memory[slotOf(entry.blockIds, entry.startPosition + j, bs)] = entry.tokenIds[j]!;
      }
    }
    return output.scheduled.map((entry) => {
      if (!entry.samplesToken) return -1;
      const end = entry.startPosition + entry.numTokens;
      const sequence = this.#sequence;
      sequence.length = end;
      for (let p = 0; p < end; p++) sequence[p] = this.#memory[slotOf(entry.blockIds, p, bs)]!;
      return nextToken(sequence, end, this.#vocabSize);
    });
  }
}
