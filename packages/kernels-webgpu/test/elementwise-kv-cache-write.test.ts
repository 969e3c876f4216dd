import { describe, expect, test } from '@jest/globals';
import { createTensor, KvCacheWriteKernel, readF32, uploadTensor } from '../src/index.js';
import { assertClose, kvCacheWriteRef, permutation, poison, randomF32, rng } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

/** Reads a poisoned f32 tensor with NaN (the poison) replaced by a sentinel the comparison can match. */
const UNTOUCHED = -12345;
async function readMarked(t: Parameters<typeof readF32>[1]): Promise<Float32Array> {
  return (await readF32(f.gpu, t)).map((v) => (Number.isNaN(v) ? UNTOUCHED : v));
}

describe('KvCacheWriteKernel', () => {
  // Block sizes 8/16/32, head dims 8/64/128, token counts not multiples of
  // the workgroup, several sequences' tokens in one call.
  test.each([
    [8, 2, 8, 37],
    [16, 4, 64, 21],
    [32, 1, 128, 70],
    [16, 3, 5, 9],
  ])('blockSize %i, %i kv heads, headDim %i, %i tokens', async (blockSize, numKvHeads, headDim, tokens) => {
    const random = rng(blockSize * 1000 + tokens);
    const numBlocks = Math.ceil(tokens / blockSize) * 2 + 3;
    // Two sequences of random lengths over a shuffled block pool, so their
    // blocks are non-contiguous and interleaved; a few padding tokens (-1).
    const pool = permutation(numBlocks, random);
    const slots = new Int32Array(tokens);
    const lens = [Math.ceil(tokens / 2), tokens - Math.ceil(tokens / 2)];
    let next = 0;
    let t = 0;
    for (const len of lens) {
      const table = pool.subarray(next, next + Math.ceil(len / blockSize) + 1);
      next += table.length;
      const start = Math.floor(random() * blockSize); // a sequence already part-way into its first block
      for (let p = start; p < start + len; p++)
        slots[t++] = table[Math.floor(p / blockSize)]! * blockSize + (p % blockSize);
    }
    slots[3] = -1;
    slots[tokens - 1] = -1;

    const k = randomF32(tokens * numKvHeads * headDim, random);
    const v = randomF32(tokens * numKvHeads * headDim, random);
    const cacheShape = [numBlocks, numKvHeads, blockSize, headDim];
    const kCache = createTensor(f.gpu, 'f32', cacheShape);
    const vCache = createTensor(f.gpu, 'f32', cacheShape);
    poison(f.gpu, kCache);
    poison(f.gpu, vCache);
    const write = new KvCacheWriteKernel(f.ctx);
    await run(f, (rec) =>
      write.record(
        rec,
        uploadTensor(f.gpu, 'f32', [tokens, numKvHeads, headDim], k),
        uploadTensor(f.gpu, 'f32', [tokens, numKvHeads, headDim], v),
        uploadTensor(f.gpu, 'i32', [tokens], slots),
        kCache,
        vCache,
      ),
    );
    // Every element: written ones equal the input exactly (a copy), the rest still poison.
    const untouched = new Float64Array(kCache.byteLength / 4).fill(UNTOUCHED);
    const exact = { rtol: 0, atol: 0 };
    assertClose(
      await readMarked(kCache),
      kvCacheWriteRef(untouched, k, slots, numKvHeads, blockSize, headDim),
      exact,
      'kCache',
    );
    assertClose(
      await readMarked(vCache),
      kvCacheWriteRef(untouched, v, slots, numKvHeads, blockSize, headDim),
      exact,
      'vCache',
    );
  });

  test('skips slots past the cache end', async () => {
    const shape = [2, 1, 8, 8];
    const kCache = createTensor(f.gpu, 'f32', shape);
    const vCache = createTensor(f.gpu, 'f32', shape);
    poison(f.gpu, kCache);
    poison(f.gpu, vCache);
    const src = uploadTensor(f.gpu, 'f32', [2, 1, 8], randomF32(16, rng(1)));
    const slots = uploadTensor(f.gpu, 'i32', [2], Int32Array.of(16, 1 << 30));
    const write = new KvCacheWriteKernel(f.ctx);
    await run(f, (rec) => write.record(rec, src, src, slots, kCache, vCache));
    expect((await readF32(f.gpu, kCache)).every(Number.isNaN)).toBe(true);
  });
});
