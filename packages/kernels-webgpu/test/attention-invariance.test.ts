/**
 * PagedAttentionKernel results that must not move: a sequence's output is
 * bit-for-bit the same alone and in any batch (split or not), and the same
 * whether its cache is paged in shuffled 16-token blocks or contiguous. Also
 * the steady state (no new pipelines) and argument checks.
 */
import { describe, expect, test } from '@jest/globals';
import { PagedAttentionKernel, createTensor, readF32, type PagedAttentionOptions } from '../src/index.js';
import {
  poison,
  randomPagedBatch,
  rng,
  selectSeqs,
  uploadPagedBatch,
  withBlockSize,
  type PagedBatch,
} from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

const CONFIGS: [string, Pick<PagedAttentionOptions, 'numHeads' | 'numKvHeads' | 'headDim'>][] = [
  ['keys layout', { numHeads: 8, numKvHeads: 4, headDim: 8 }],
  ['dims layout', { numHeads: 4, numKvHeads: 4, headDim: 64 }],
];

const SEQS = [
  { queryLen: 1, contextLen: 1500 }, // split (default chunks of 512)
  { queryLen: 7, contextLen: 30 },
  { queryLen: 1, contextLen: 37 },
  { queryLen: 12, contextLen: 12 },
  { queryLen: 1, contextLen: 600 }, // split
];

// maxContextLen: the batch's own longest context (by default the block
// tables' capacity), so batches differ in their split grids too.
async function attend(kernel: PagedAttentionKernel, batch: PagedBatch, tight = false): Promise<Float32Array> {
  const t = uploadPagedBatch(f.gpu, batch);
  poison(f.gpu, t.out);
  const maxContextLen = tight ? Math.max(...batch.contextLens) : undefined;
  await run(f, (rec) => kernel.record(rec, t, { maxContextLen }));
  const out = await readF32(f.gpu, t.out);
  for (const x of Object.values(t)) x.buffer.destroy();
  return out;
}

describe.each(CONFIGS)('PagedAttentionKernel (%s)', (_, heads) => {
  const batch = randomPagedBatch({ ...heads, seqs: SEQS, blockSize: 16 }, rng(heads.headDim));
  const rowLen = heads.numHeads * heads.headDim;

  // 0 ulp on lavapipe: each workgroup's reduction order depends only on its
  // own sequence (its tiles and split chunks come from its own lengths), and
  // the batch changes only the grid's size and the scratch's layout.
  test("a sequence's output does not depend on its batch-mates", async () => {
    const kernel = new PagedAttentionKernel(f.ctx, heads);
    const together = await attend(kernel, batch);
    for (const pick of [[0], [2], [1, 3], [4, 2, 0]]) {
      const alone = await attend(kernel, selectSeqs(batch, pick), true);
      let at = 0;
      for (const s of pick) {
        const rows = together.subarray(batch.queryStart[s]! * rowLen, batch.queryStart[s + 1]! * rowLen);
        expect(Array.from(alone.subarray(at, at + rows.length))).toEqual(Array.from(rows));
        at += rows.length;
      }
    }
  });

  // Paging changes only where a key is read from, never the order keys are reduced in.
  test('shuffled 16-token blocks and one contiguous block give identical bits', async () => {
    const kernel = new PagedAttentionKernel(f.ctx, heads);
    const contiguous = withBlockSize(batch, 2048);
    expect(contiguous.tableStride).toBe(1);
    expect(Array.from(await attend(kernel, contiguous))).toEqual(Array.from(await attend(kernel, batch)));
  });

  test('a steady state builds no pipelines', async () => {
    const kernel = new PagedAttentionKernel(f.ctx, heads);
    await attend(kernel, batch);
    const pipelines = f.ctx.numPipelines;
    await attend(kernel, selectSeqs(batch, [1, 0]));
    expect(f.ctx.numPipelines).toBe(pipelines);
  });
});

test('argument checks say what is wrong', () => {
  const heads = { numHeads: 8, numKvHeads: 4, headDim: 8 };
  expect(() => new PagedAttentionKernel(f.ctx, { ...heads, numKvHeads: 3 })).toThrow(
    /multiple of numKvHeads/,
  );
  expect(() => new PagedAttentionKernel(f.ctx, { ...heads, headDim: 6 })).toThrow(/multiple of 4/);
  const kernel = new PagedAttentionKernel(f.ctx, heads);
  const t = uploadPagedBatch(
    f.gpu,
    randomPagedBatch({ ...heads, seqs: SEQS.slice(1, 3), blockSize: 8 }, rng(1)),
  );
  const rec = f.ctx.begin();
  expect(() => kernel.record(rec, { ...t, out: t.q })).toThrow(/own/);
  expect(() => kernel.record(rec, { ...t, contextLens: createTensor(f.gpu, 'i32', [3]) })).toThrow(
    /contextLens/,
  );
  expect(() => kernel.record(rec, { ...t, kCache: createTensor(f.gpu, 'f32', [2, 4, 8, 4]) })).toThrow(
    /kCache/,
  );
  rec.finish();
});
