/**
 * float64 reference for {@link PagedAttentionKernel}: gathers each sequence's
 * keys and values through its block table and applies a causal softmax.
 * @module
 */
import type { Gpu } from '../gpu.js';
import { createTensor, uploadTensor } from '../tensor.js';
import type { PagedAttentionTensors } from '../kernels/attention/validate.js';

/** Host copies of the kernel's inputs (layouts as in `PagedAttentionTensors`). */
export interface PagedAttentionRefInputs {
  /** [numTokens, numHeads, headDim] */
  readonly q: ArrayLike<number>;
  /** [numBlocks, numKvHeads, blockSize, headDim] */
  readonly kCache: ArrayLike<number>;
  readonly vCache: ArrayLike<number>;
  /** [numSeqs + 1] */
  readonly queryStart: ArrayLike<number>;
  /** [numSeqs] */
  readonly contextLens: ArrayLike<number>;
  /** [numSeqs, tableStride] */
  readonly blockTables: ArrayLike<number>;
  readonly tableStride: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly blockSize: number;
  /** Default 1 / sqrt(headDim). */
  readonly scale?: number;
}

/** Attention output [numTokens, numHeads, headDim] in float64. */
export function pagedAttentionRef(x: PagedAttentionRefInputs): Float64Array {
  const { numHeads, numKvHeads, headDim: hd, blockSize } = x;
  const scale = x.scale ?? 1 / Math.sqrt(hd);
  const numSeqs = x.contextLens.length;
  const out = new Float64Array(x.queryStart[numSeqs]! * numHeads * hd);
  // Start of the cached row of `pos` of sequence s for kv head kh.
  const cacheRow = (s: number, kh: number, pos: number) => {
    const block = x.blockTables[s * x.tableStride + Math.floor(pos / blockSize)]!;
    return ((block * numKvHeads + kh) * blockSize + (pos % blockSize)) * hd;
  };
  for (let s = 0; s < numSeqs; s++) {
    const start = x.queryStart[s]!;
    const n = x.queryStart[s + 1]! - start;
    const ctx = x.contextLens[s]!;
    for (let i = 0; i < n; i++) {
      const keys = ctx - n + i + 1;
      for (let h = 0; h < numHeads; h++) {
        const kh = Math.floor(h / (numHeads / numKvHeads));
        const qRow = ((start + i) * numHeads + h) * hd;
        const scores = new Float64Array(keys);
        let max = -Infinity;
        for (let t = 0; t < keys; t++) {
          const kRow = cacheRow(s, kh, t);
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += x.q[qRow + d]! * x.kCache[kRow + d]!;
          scores[t] = dot * scale;
          max = Math.max(max, scores[t]!);
        }
        let sum = 0;
        for (let t = 0; t < keys; t++) sum += scores[t] = Math.exp(scores[t]! - max);
        const acc = out.subarray(qRow, qRow + hd);
        for (let t = 0; t < keys; t++) {
          const vRow = cacheRow(s, kh, t);
          const w = scores[t]! / sum;
          for (let d = 0; d < hd; d++) acc[d] = acc[d]! + w * x.vCache[vRow + d]!;
        }
      }
    }
  }
  return out;
}

/** One sequence of a test batch: its new query tokens and its context after this step. */
export interface PagedSeqSpec {
  readonly queryLen: number;
  readonly contextLen: number;
}

/** A test batch's shape. */
export interface PagedBatchSpec {
  readonly seqs: readonly PagedSeqSpec[];
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly blockSize: number;
  /** Block-table width; default the most blocks any sequence needs, plus one of padding. */
  readonly tableStride?: number;
  /** Scale of the random q values (larger: peakier softmax); default 1. */
  readonly qScale?: number;
}

/** Host data of a test batch: the reference's inputs plus the tensor shapes. */
export interface PagedBatch extends PagedAttentionRefInputs {
  readonly q: Float32Array;
  readonly kCache: Float32Array;
  readonly vCache: Float32Array;
  readonly queryStart: Int32Array;
  readonly contextLens: Int32Array;
  readonly blockTables: Int32Array;
  readonly numTokens: number;
  readonly numBlocks: number;
}

/**
 * A random batch: q, K and V uniform in [-1, 1) (every cache slot, used or
 * not), and block tables that hand each sequence a random, non-contiguous set
 * of physical blocks (padding entries are -1, never read).
 */
export function randomPagedBatch(spec: PagedBatchSpec, random: () => number): PagedBatch {
  const { seqs, numHeads, numKvHeads, headDim, blockSize } = spec;
  const uniform = (n: number, scale = 1) =>
    Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const blocksOf = seqs.map((s) => Math.ceil(s.contextLen / blockSize));
  const numBlocks = blocksOf.reduce((a, b) => a + b, 0) + 1;
  const tableStride = spec.tableStride ?? Math.max(...blocksOf) + 1;
  // A random permutation of the physical blocks, dealt out in order.
  const order = Array.from({ length: numBlocks }, (_, i) => i);
  for (let i = numBlocks - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const blockTables = new Int32Array(seqs.length * tableStride).fill(-1);
  let next = 0;
  seqs.forEach((_, s) => {
    for (let b = 0; b < blocksOf[s]!; b++) blockTables[s * tableStride + b] = order[next++]!;
  });
  const queryStart = new Int32Array(seqs.length + 1);
  seqs.forEach((s, i) => (queryStart[i + 1] = queryStart[i]! + s.queryLen));
  const numTokens = queryStart[seqs.length]!;
  const cacheSize = numBlocks * numKvHeads * blockSize * headDim;
  return {
    q: uniform(numTokens * numHeads * headDim, spec.qScale),
    kCache: uniform(cacheSize),
    vCache: uniform(cacheSize),
    queryStart,
    contextLens: Int32Array.from(seqs, (s) => s.contextLen),
    blockTables,
    tableStride,
    numHeads,
    numKvHeads,
    headDim,
    blockSize,
    numTokens,
    numBlocks,
  };
}

/**
 * The sub-batch of sequences `pick` (in that order) over the same cache: for
 * checking that a sequence's result does not depend on its batch-mates.
 */
export function selectSeqs(batch: PagedBatch, pick: readonly number[]): PagedBatch {
  const rowLen = batch.numHeads * batch.headDim;
  const queryStart = new Int32Array(pick.length + 1);
  const q: number[] = [];
  const blockTables = new Int32Array(pick.length * batch.tableStride);
  pick.forEach((s, i) => {
    const [from, to] = [batch.queryStart[s]!, batch.queryStart[s + 1]!];
    queryStart[i + 1] = queryStart[i]! + to - from;
    q.push(...batch.q.subarray(from * rowLen, to * rowLen));
    blockTables.set(
      batch.blockTables.subarray(s * batch.tableStride, (s + 1) * batch.tableStride),
      i * batch.tableStride,
    );
  });
  return {
    ...batch,
    q: Float32Array.from(q),
    queryStart,
    contextLens: Int32Array.from(pick, (s) => batch.contextLens[s]!),
    blockTables,
    numTokens: queryStart[pick.length]!,
  };
}

/** Uploads a batch to fresh tensors, with an (unwritten) output tensor. */
export function uploadPagedBatch(gpu: Gpu, b: PagedBatch): PagedAttentionTensors {
  const rows = [b.numTokens, b.numHeads, b.headDim];
  const cache = [b.numBlocks, b.numKvHeads, b.blockSize, b.headDim];
  return {
    q: uploadTensor(gpu, 'f32', rows, b.q),
    kCache: uploadTensor(gpu, 'f32', cache, b.kCache),
    vCache: uploadTensor(gpu, 'f32', cache, b.vCache),
    queryStart: uploadTensor(gpu, 'i32', [b.queryStart.length], b.queryStart),
    contextLens: uploadTensor(gpu, 'i32', [b.contextLens.length], b.contextLens),
    blockTables: uploadTensor(gpu, 'i32', [b.contextLens.length, b.tableStride], b.blockTables),
    out: createTensor(gpu, 'f32', rows),
  };
}

/**
 * The same batch with its cache re-laid out in blocks of `blockSize`, each
 * sequence's blocks in order (one block per sequence when `blockSize` covers
 * its context): for checking that paging changes no result.
 */
export function withBlockSize(batch: PagedBatch, blockSize: number): PagedBatch {
  const { numKvHeads, headDim: hd } = batch;
  const seqs = batch.contextLens.length;
  const blocksOf = Array.from(batch.contextLens, (n) => Math.ceil(n / blockSize));
  const tableStride = Math.max(...blocksOf);
  const numBlocks = blocksOf.reduce((a, b) => a + b, 0);
  const blockTables = new Int32Array(seqs * tableStride).fill(-1);
  const kCache = new Float32Array(numBlocks * numKvHeads * blockSize * hd);
  const vCache = new Float32Array(kCache.length);
  let next = 0;
  for (let s = 0; s < seqs; s++) {
    for (let b = 0; b < blocksOf[s]!; b++) blockTables[s * tableStride + b] = next + b;
    for (let pos = 0; pos < batch.contextLens[s]!; pos++) {
      const oldBlock = batch.blockTables[s * batch.tableStride + Math.floor(pos / batch.blockSize)]!;
      const newBlock = next + Math.floor(pos / blockSize);
      for (let kh = 0; kh < numKvHeads; kh++) {
        const from = ((oldBlock * numKvHeads + kh) * batch.blockSize + (pos % batch.blockSize)) * hd;
        const to = ((newBlock * numKvHeads + kh) * blockSize + (pos % blockSize)) * hd;
        kCache.set(batch.kCache.subarray(from, from + hd), to);
        vCache.set(batch.vCache.subarray(from, from + hd), to);
      }
    }
    next += blocksOf[s]!;
  }
  return { ...batch, kCache, vCache, blockTables, tableStride, blockSize, numBlocks };
}
