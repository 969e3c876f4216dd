/**
 * Flattens a `SchedulerOutput` into the packed arrays the kernels read: token
 * ids, positions, KV slots, per-sequence query offsets, context lengths, block
 * tables, and which rows get sampled. Host arrays are reused between steps.
 * @module
 */
import type { ScheduledRequest, SchedulerOutput } from '@x/scheduler';

/** The part of a scheduler step the runner reads (warm-up steps build just this). */
export interface StepBatch {
  readonly scheduled: readonly Pick<
    ScheduledRequest,
    'tokenIds' | 'startPosition' | 'numTokens' | 'blockIds' | 'samplesToken'
  >[];
  readonly totalNumScheduledTokens: SchedulerOutput['totalNumScheduledTokens'];
}

/** The packed inputs of one step. Views into reused storage: valid until the next {@link StepInputBuilder.build}. */
export interface StepInputs {
  /** Scheduled tokens, all sequences packed in schedule order. */
  readonly numTokens: number;
  /** Sequences in the batch. */
  readonly numSeqs: number;
  /** `[numTokens]` token ids. */
  readonly tokenIds: Int32Array;
  /** `[numTokens]` position of each token in its sequence. */
  readonly positions: Int32Array;
  /** `[numTokens]` KV slot (block × blockSize + offset) each token's K/V is written to. */
  readonly slotMapping: Int32Array;
  /** `[numSeqs + 1]` cumulative query offsets: sequence s owns rows queryStart[s]..queryStart[s+1]-1. */
  readonly queryStart: Int32Array;
  /** `[numSeqs]` tokens in the sequence once this step's are computed. */
  readonly contextLens: Int32Array;
  /** `[numSeqs, maxBlocksPerSeq]` block tables, rows padded with 0. */
  readonly blockTables: Int32Array;
  /** Row stride of {@link blockTables}. */
  readonly maxBlocksPerSeq: number;
  /** Longest context in the batch. */
  readonly maxContextLen: number;
  /** Number of sequences that sample a token this step. */
  readonly numSampled: number;
  /** `[numSampled]` the packed row whose logits are sampled (each sampling sequence's last token). */
  readonly sampleRows: Int32Array;
  /** `[numSampled]` index into `output.scheduled` of each sampled row. */
  readonly sampleEntries: Int32Array;
}

/** Builds {@link StepInputs}, growing its storage only when a step is larger than any before. */
export class StepInputBuilder {
  readonly #blockSize: number;
  #tokenIds = new Int32Array(0);
  #positions = new Int32Array(0);
  #slots = new Int32Array(0);
  #queryStart = new Int32Array(0);
  #contextLens = new Int32Array(0);
  #blockTables = new Int32Array(0);
  #sampleRows = new Int32Array(0);
  #sampleEntries = new Int32Array(0);

  constructor(blockSize: number) {
    this.#blockSize = blockSize;
  }

  build(output: StepBatch): StepInputs {
    const entries = output.scheduled;
    const numSeqs = entries.length;
    const numTokens = output.totalNumScheduledTokens;
    let maxBlocks = 1;
    for (const e of entries) maxBlocks = Math.max(maxBlocks, e.blockIds.length);
    this.#reserve(numTokens, numSeqs, maxBlocks);

    const bs = this.#blockSize;
    const tokens = this.#tokenIds;
    const positions = this.#positions;
    const slots = this.#slots;
    const tables = this.#blockTables;
    let row = 0;
    let numSampled = 0;
    let maxContextLen = 0;
    for (let s = 0; s < numSeqs; s++) {
      const e = entries[s]!;
      this.#queryStart[s] = row;
      this.#contextLens[s] = e.startPosition + e.numTokens;
      maxContextLen = Math.max(maxContextLen, e.startPosition + e.numTokens);
      const blocks = e.blockIds;
      for (let i = 0; i < e.numTokens; i++, row++) {
        const p = e.startPosition + i;
        tokens[row] = e.tokenIds[i]!;
        positions[row] = p;
        slots[row] = blocks[(p / bs) | 0]! * bs + (p % bs);
      }
      const base = s * maxBlocks;
      for (let b = 0; b < maxBlocks; b++) tables[base + b] = b < blocks.length ? blocks[b]! : 0;
      if (e.samplesToken) {
        this.#sampleRows[numSampled] = row - 1;
        this.#sampleEntries[numSampled++] = s;
      }
    }
    this.#queryStart[numSeqs] = row;
    if (row !== numTokens)
      throw new Error(`scheduler output counts ${numTokens} tokens but its entries hold ${row}`);

    return {
      numTokens,
      numSeqs,
      tokenIds: tokens.subarray(0, numTokens),
      positions: positions.subarray(0, numTokens),
      slotMapping: slots.subarray(0, numTokens),
      queryStart: this.#queryStart.subarray(0, numSeqs + 1),
      contextLens: this.#contextLens.subarray(0, numSeqs),
      blockTables: tables.subarray(0, numSeqs * maxBlocks),
      maxBlocksPerSeq: maxBlocks,
      maxContextLen,
      numSampled,
      sampleRows: this.#sampleRows.subarray(0, numSampled),
      sampleEntries: this.#sampleEntries.subarray(0, numSampled),
    };
  }

  #reserve(numTokens: number, numSeqs: number, maxBlocks: number): void {
    if (this.#tokenIds.length < numTokens) {
      const n = grow(this.#tokenIds.length, numTokens);
      this.#tokenIds = new Int32Array(n);
      this.#positions = new Int32Array(n);
      this.#slots = new Int32Array(n);
    }
    if (this.#contextLens.length < numSeqs) {
      const n = grow(this.#contextLens.length, numSeqs);
      this.#queryStart = new Int32Array(n + 1);
      this.#contextLens = new Int32Array(n);
      this.#sampleRows = new Int32Array(n);
      this.#sampleEntries = new Int32Array(n);
    }
    if (this.#blockTables.length < numSeqs * maxBlocks) {
      this.#blockTables = new Int32Array(grow(this.#blockTables.length, numSeqs * maxBlocks));
    }
  }
}

function grow(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5), 16);
}
