/**
 * The dummy steps a runner takes before serving: one of each shape that makes
 * a kernel pick another pipeline. Their tokens are arbitrary; they write into
 * KV blocks that no request owns yet, and whatever they leave there is
 * overwritten before any request reads it (a request reads only slots it has
 * computed or prefix-cache hits, which only real computes register).
 * @module
 */
import { MATMUL_WARM_UP_ROWS } from '@x/kernels-webgpu';
import type { StepBatch } from './step-inputs.js';

/** The largest steps the scheduler may send; warm-up steps stay within them. */
export interface WarmUpLimits {
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly maxModelLen: number;
}

type Entry = StepBatch['scheduled'][number];

/**
 * Steps that between them build every pipeline: decode batches and single
 * prefills of each matmul row count (the LM head sees the batch size, the
 * other weights the token count), and one decode at the longest context the
 * pool allows (paged attention splits long contexts and merges the parts).
 */
export function warmUpSteps(
  limits: WarmUpLimits,
  kv: { readonly numBlocks: number; readonly blockSize: number },
): StepBatch[] {
  const bs = kv.blockSize;
  const maxLen = Math.min(limits.maxModelLen, kv.numBlocks * bs);
  const steps: StepBatch[] = [];
  const entry = (startPosition: number, numTokens: number, firstBlock: number): Entry => {
    const blocks = Math.ceil((startPosition + numTokens) / bs);
    return {
      tokenIds: Array<number>(numTokens).fill(1),
      startPosition,
      numTokens,
      blockIds: Array.from({ length: blocks }, (_, b) => firstBlock + b),
      samplesToken: true,
    };
  };
  const step = (scheduled: Entry[]) =>
    steps.push({ scheduled, totalNumScheduledTokens: scheduled.reduce((n, e) => n + e.numTokens, 0) });
  for (const rows of MATMUL_WARM_UP_ROWS) {
    if (rows <= Math.min(limits.maxNumSeqs, kv.numBlocks))
      step(Array.from({ length: rows }, (_, i) => entry(0, 1, i)));
    if (rows > 1 && rows <= Math.min(limits.maxNumBatchedTokens, maxLen)) step([entry(0, rows, 0)]);
  }
  step([entry(maxLen - 1, 1, 0)]);
  return steps;
}
