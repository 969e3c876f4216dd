import { describe, expect, test } from '@jest/globals';
import {
  createTensor,
  dequantizeQ8_0,
  EmbeddingKernel,
  fromF16,
  isKQuant,
  quantizeQ8_0,
  readF32,
  toF16,
  uploadTensor,
  type DType,
  type HostData,
} from '../src/index.js';
import {
  assertClose,
  embeddingRef,
  encodeWeights,
  poison,
  randomF32,
  randomInts,
  rng,
} from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

/** The table as uploaded and as the GPU decodes it (the reference's input). */
function encodeTable(dtype: DType, values: Float32Array): { data: HostData; decoded: ArrayLike<number> } {
  if (dtype === 'f16') {
    const data = toF16(values);
    return { data, decoded: fromF16(data) };
  }
  if (dtype === 'q8_0') {
    const data = quantizeQ8_0(values);
    return { data, decoded: dequantizeQ8_0(data) };
  }
  if (isKQuant(dtype)) {
    const { data, values: decoded } = encodeWeights(dtype, values);
    return { data, decoded };
  }
  return { data: values, decoded: values };
}

describe('EmbeddingKernel', () => {
  // Odd dims (f32/f16: rows straddle u32 words; even vocab keeps f16 numel even)
  // and token counts that are not multiples of the workgroup size.
  test.each([
    ['f32', 50, 7, 13],
    ['f32', 1000, 64, 300],
    ['f16', 40, 9, 33],
    ['f16', 1000, 128, 257],
    ['q8_0', 100, 32, 17],
    ['q8_0', 500, 96, 300],
    ['q8_0', 64, 4096, 3],
    ['q4_k', 30, 512, 17],
    ['q5_k', 9, 256, 5],
    ['q6_k', 33, 768, 300],
  ] as const)('%s table [%i, %i], %i tokens', async (dtype, vocab, dim, tokens) => {
    const random = rng(vocab * dim + tokens);
    const { data, decoded } = encodeTable(dtype, randomF32(vocab * dim, random));
    // Out-of-range ids (negative, = vocab, far beyond) must give zero rows.
    const ids = randomInts(tokens, random, vocab);
    ids[0] = -1;
    ids[tokens - 1] = vocab;
    if (tokens > 3) ids[1] = 2 ** 31 - 1;
    const table = uploadTensor(f.gpu, dtype, [vocab, dim], data);
    const tIds = uploadTensor(f.gpu, 'i32', [tokens], ids);
    const out = createTensor(f.gpu, 'f32', [tokens, dim]);
    poison(f.gpu, out);
    const embed = new EmbeddingKernel(f.ctx);
    await run(f, (rec) => embed.record(rec, tIds, table, out));
    const got = await readF32(f.gpu, out);
    // Exact: a copy, an exact f16 widening, or an f16 scale times an int8
    // (11 + 8 significant bits fit f32's 24); Q6_K likewise (f16 · int8 · 6-bit
    // quant). Q4_K and Q5_K subtract the block's min: one f32 rounding.
    const rtol = dtype === 'q4_k' || dtype === 'q5_k' ? 2 ** -24 : 0;
    assertClose(got, embeddingRef(decoded, dim, ids), { rtol, atol: 0 });
    expect(got.subarray(0, dim).every((v) => v === 0)).toBe(true);
  });

  test('rejects mismatched shapes', () => {
    const embed = new EmbeddingKernel(f.ctx);
    const ids = createTensor(f.gpu, 'i32', [4]);
    const table = createTensor(f.gpu, 'f32', [10, 8]);
    const out = createTensor(f.gpu, 'f32', [4, 16]);
    const rec = f.ctx.begin();
    try {
      expect(() => embed.record(rec, ids, table, out)).toThrow(/out: shape \[4,16\], expected \[4,8\]/);
      const q4k = createTensor(f.gpu, 'q4_k', [2, 128]);
      expect(() => embed.record(rec, ids, q4k, createTensor(f.gpu, 'f32', [4, 128]))).toThrow(
        /q4_k rows must be whole 256-value super-blocks, got dim 128/,
      );
    } finally {
      rec.finish();
    }
  });
});
