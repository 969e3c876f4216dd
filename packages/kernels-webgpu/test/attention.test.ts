/**
 * PagedAttentionKernel against its float64 reference, for head dims 8, 64
 * and 128 (both lane layouts) and GQA ratios 2, 1 and 8: block sizes 8/16/32
 * with shuffled block tables, batches mixing decode, whole prompts and chunks
 * that start mid-sequence, contexts on and off the split path, and peaky
 * softmaxes. Every output element is poisoned first and checked.
 */
import { describe, expect, test } from '@jest/globals';
import { PagedAttentionKernel, readF32, splitChunks, type PagedAttentionOptions } from '../src/index.js';
import {
  assertClose,
  pagedAttentionRef,
  poison,
  randomPagedBatch,
  rng,
  uploadPagedBatch,
  type PagedSeqSpec,
} from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

// Outputs are softmax-weighted averages of values in [-1, 1]. The kernel sums
// f32 dot products (≤ 128 terms) and softmax weights (≤ ~2000 keys) in
// another order than the float64 reference, and lavapipe's exp2 is a
// polynomial: ~1e-6 relative error in the weights, so ~1e-6 absolute on the
// outputs. Peaky softmaxes (scores in the tens) amplify a score's rounding
// by its magnitude, hence 10× there.
const TOL = { rtol: 1e-5, atol: 2e-6 };
const PEAKY_TOL = { rtol: 1e-4, atol: 2e-5 };

// Small splitChunk so that moderate contexts take the split path; it is a
// runtime parameter, so these kernels share their pipelines with the default.
const SPLIT_CHUNK = 64;

type Heads = Pick<PagedAttentionOptions, 'numHeads' | 'numKvHeads' | 'headDim' | 'tileRows'>;

// Each configuration compiles its own pipelines (seconds each on lavapipe).
// The last one keeps 4 rows per workgroup, so each group of 8 query heads is
// spread over two workgroups.
const CONFIGS: [string, Heads][] = [
  ['head dim 8, GQA 2 (keys layout)', { numHeads: 8, numKvHeads: 4, headDim: 8 }],
  ['head dim 64, GQA 1 (dims layout)', { numHeads: 4, numKvHeads: 4, headDim: 64 }],
  [
    'head dim 128, GQA 8 over 2 workgroups (dims layout)',
    { numHeads: 16, numKvHeads: 2, headDim: 128, tileRows: 4 },
  ],
];

const MIXED: PagedSeqSpec[] = [
  { queryLen: 1, contextLen: 37 }, // decode
  { queryLen: 19, contextLen: 19 }, // a whole prompt
  { queryLen: 6, contextLen: 45 }, // a chunk starting mid-sequence (chunked prefill, prefix-cache hit)
  { queryLen: 1, contextLen: 1 }, // a first token
  { queryLen: 1, contextLen: 300 }, // a decode long enough to split
  { queryLen: 3, contextLen: 120 }, // a short chunk deep in the context
];

async function check(
  heads: Heads,
  seqs: PagedSeqSpec[],
  blockSize: number,
  seed: number,
  tol = TOL,
  qScale = 1,
): Promise<void> {
  const batch = randomPagedBatch({ ...heads, seqs, blockSize, qScale }, rng(seed));
  const t = uploadPagedBatch(f.gpu, batch);
  poison(f.gpu, t.out);
  const kernel = new PagedAttentionKernel(f.ctx, { ...heads, splitChunk: SPLIT_CHUNK });
  await run(f, (rec) => kernel.record(rec, t));
  assertClose(await readF32(f.gpu, t.out), pagedAttentionRef(batch), tol, 'attention');
  kernel.destroy();
  for (const x of Object.values(t)) x.buffer.destroy();
}

describe.each(CONFIGS)('PagedAttentionKernel, %s', (_, heads) => {
  test.each([8, 16, 32])('mixed prefill/decode batch, block size %i', async (blockSize) => {
    await check(heads, MIXED, blockSize, heads.headDim + blockSize);
  });

  test('decodes on and off the split path', async () => {
    const rule = new PagedAttentionKernel(f.ctx, { ...heads, splitChunk: SPLIT_CHUNK }).split;
    const seqs = [700, 64, 65, 200, 5].map((contextLen) => ({ queryLen: 1, contextLen }));
    expect(seqs.map((s) => splitChunks(s.contextLen, rule) > 1)).toEqual([true, false, true, true, false]);
    await check(heads, seqs, 16, 3);
  });

  test('peaky softmax: large scores move the running max often', async () => {
    await check(heads, MIXED, 16, 5, PEAKY_TOL, 6);
  });
});

test('default split rule: only decodes longer than 512 keys split, into chunks of at most 512', () => {
  const rule = new PagedAttentionKernel(f.ctx, { numHeads: 8, numKvHeads: 4, headDim: 8 }).split;
  expect([1, 512, 513, 2048, 8192, 100_000].map((n) => splitChunks(n, rule))).toEqual([1, 1, 2, 4, 16, 16]);
});
