/**
 * A deterministic fake model runner with a simulated paged KV memory. Like a
 * real KV entry, the value stored for position p depends on every token up to
 * p (a running hash), and the sampled token depends on every stored value, so a
 * wrong block table, a block reused under a different prefix, a block cached
 * before it was computed or a lost token all change the output. A chunk reads
 * memory as it stood before the step: nothing written in the same step is seen.
 */
import { slotOf, type ScheduledRequest, type SchedulerOutput } from '../../src/index.js';

/** Fake model settings. */
export interface FakeModelOptions {
  readonly numBlocks: number;
  readonly blockSize: number;
  /** Tokens are drawn from [0, vocabSize). */
  readonly vocabSize?: number;
}

const SEED = 0x811c9dc5;
const mix = (h: number, value: number): number => Math.imul(h ^ value, 0x01000193);

/** Executes scheduler outputs against its own KV memory. */
export class FakeModel {
  readonly #memory: Int32Array;
  readonly #blockSize: number;
  readonly #vocabSize: number;

  constructor(options: FakeModelOptions) {
    this.#memory = new Int32Array(options.numBlocks * options.blockSize);
    this.#blockSize = options.blockSize;
    this.#vocabSize = options.vocabSize ?? 32;
  }

  /** Runs one step; returns one sampled token per scheduled entry (-1 where none is sampled). */
  run(output: SchedulerOutput): number[] {
    const writes: number[][] = [];
    const sampled = output.scheduled.map((entry) => {
      const { token, states } = this.#forward(entry);
      writes.push(states);
      return entry.samplesToken ? token : -1;
    });
    output.scheduled.forEach((entry, i) => {
      writes[i]!.forEach((state, j) => {
        this.#memory[slotOf(entry.blockIds, entry.startPosition + j, this.#blockSize)] = state;
      });
    });
    return sampled;
  }

  /** "Attention" over the stored prefix plus this chunk: returns the next token and the chunk's KV states. */
  #forward(entry: ScheduledRequest): { token: number; states: number[] } {
    const slot = (p: number) => slotOf(entry.blockIds, p, this.#blockSize);
    let attention = SEED;
    for (let p = 0; p < entry.startPosition; p++) attention = mix(attention, this.#memory[slot(p)]!);
    let state = entry.startPosition === 0 ? SEED : this.#memory[slot(entry.startPosition - 1)]!;
    const states = entry.tokenIds.map((token) => {
      state = mix(state, token);
      attention = mix(attention, state);
      return state;
    });
    return { token: (attention >>> 0) % this.#vocabSize, states };
  }
}
