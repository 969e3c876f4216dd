/**
 * Argument checks for {@link PagedAttentionKernel.record}: shapes and dtypes
 * against the kernel's head configuration, with errors that say what is wrong.
 * @module
 */
import type { GpuTensor } from '../../tensor.js';

/** The tensors of one paged-attention call (layouts in {@link PagedAttentionKernel}). */
export interface PagedAttentionTensors {
  /** f32 [numTokens, numHeads, headDim]: every scheduled query token, packed in sequence order. */
  readonly q: GpuTensor;
  /** f32 [numBlocks, numKvHeads, blockSize, headDim], one layer's keys. */
  readonly kCache: GpuTensor;
  /** f32 [numBlocks, numKvHeads, blockSize, headDim], one layer's values. */
  readonly vCache: GpuTensor;
  /** i32 [numSeqs + 1]: cumulative query-token offsets. */
  readonly queryStart: GpuTensor;
  /** i32 [numSeqs]: tokens of each sequence after this step, its new ones included. */
  readonly contextLens: GpuTensor;
  /** i32 [numSeqs, maxBlocksPerSeq]: physical block of each logical block, padded rows. */
  readonly blockTables: GpuTensor;
  /** f32 [numTokens, numHeads, headDim], in a buffer of its own. */
  readonly out: GpuTensor;
}

/** Sizes read off the tensors. */
export interface PagedAttentionDims {
  readonly numTokens: number;
  readonly numSeqs: number;
  readonly blockSize: number;
  readonly tableStride: number;
}

function describe(name: string, t: GpuTensor): string {
  return `${name} ${t.dtype}[${t.shape.join(', ')}]`;
}

/** Checks every tensor against `numHeads`, `numKvHeads` and `headDim`; returns the batch's sizes. */
export function checkPagedAttention(
  t: PagedAttentionTensors,
  numHeads: number,
  numKvHeads: number,
  headDim: number,
): PagedAttentionDims {
  const fail = (why: string): never => {
    throw new Error(`paged attention: ${why}`);
  };
  const want = (name: keyof PagedAttentionTensors, dtype: string, shape: readonly (number | undefined)[]) => {
    const x = t[name];
    const ok =
      x.dtype === dtype &&
      x.shape.length === shape.length &&
      shape.every((d, i) => d === undefined || d === x.shape[i]);
    if (!ok)
      fail(`want ${name} ${dtype}[${shape.map((d) => d ?? '*').join(', ')}], got ${describe(name, x)}`);
    return x.shape;
  };
  const [numTokens] = want('q', 'f32', [undefined, numHeads, headDim]) as [number];
  want('out', 'f32', [numTokens, numHeads, headDim]);
  const [numBlocks, , blockSize] = want('kCache', 'f32', [undefined, numKvHeads, undefined, headDim]) as [
    number,
    number,
    number,
  ];
  want('vCache', 'f32', [numBlocks, numKvHeads, blockSize, headDim]);
  const [starts] = want('queryStart', 'i32', [undefined]) as [number];
  const numSeqs = starts - 1;
  if (numSeqs < 1)
    fail(`queryStart needs numSeqs + 1 >= 2 entries, got ${describe('queryStart', t.queryStart)}`);
  if (numTokens < numSeqs)
    fail(`every sequence needs a query token: ${numSeqs} sequences, ${numTokens} tokens`);
  want('contextLens', 'i32', [numSeqs]);
  const [, tableStride] = want('blockTables', 'i32', [numSeqs, undefined]) as [number, number];
  for (const name of ['q', 'kCache', 'vCache', 'queryStart', 'contextLens', 'blockTables'] as const) {
    if (t[name].buffer === t.out.buffer)
      fail(`out shares its buffer with ${name}; it needs a buffer of its own`);
  }
  return { numTokens, numSeqs, blockSize, tableStride };
}
