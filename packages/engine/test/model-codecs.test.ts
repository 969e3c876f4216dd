import { describe, expect, test } from '@jest/globals';
import {
  dequantizeKQuant,
  dequantizeQ8_0,
  kQuantFromGguf,
  quantizeKQuant,
  quantizeQ8_0,
} from '@x/kernels-webgpu';
import { decodeGgml, encodeGgml, q4_0ToQ8_0, toGpuLayout } from '../src/model/tensor-codecs.js';

function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 4 - 2;
  });
}

describe('tensor codecs', () => {
  const x = seeded(256, 3);

  test('F32 and F16 pass through to the GPU layout unchanged', () => {
    const f32 = encodeGgml('F32', x);
    expect(toGpuLayout('F32', f32)).toEqual({ dtype: 'f32', data: f32 });
    expect(decodeGgml('F32', f32)).toEqual(x);
    const f16 = encodeGgml('F16', x);
    expect(toGpuLayout('F16', f16).data).toBe(f16);
    const back = decodeGgml('F16', f16);
    for (let i = 0; i < x.length; i++)
      expect(Math.abs(back[i]! - x[i]!)).toBeLessThanOrEqual(Math.abs(x[i]!) / 1024);
  });

  test('Q8_0: GGUF blocks become the kernels GPU layout, same rounding as quantizeQ8_0', () => {
    const blocks = encodeGgml('Q8_0', x);
    expect(blocks.length).toBe((256 / 32) * 34);
    const gpu = toGpuLayout('Q8_0', blocks);
    expect(gpu.dtype).toBe('q8_0');
    expect(gpu.data).toEqual(quantizeQ8_0(x));
    expect(Float64Array.from(decodeGgml('Q8_0', blocks))).toEqual(dequantizeQ8_0(gpu.data));
  });

  test('Q4_0 → Q8_0 repack is exact', () => {
    const q4 = encodeGgml('Q4_0', x);
    expect(q4.length).toBe((256 / 32) * 18);
    const q4Values = decodeGgml('Q4_0', q4);
    expect(decodeGgml('Q8_0', q4_0ToQ8_0(q4))).toEqual(q4Values);
    const gpu = toGpuLayout('Q4_0', q4);
    expect(gpu.dtype).toBe('q8_0');
    expect(dequantizeQ8_0(gpu.data)).toEqual(Float64Array.from(q4Values));
    // Within one step d = max/8 (half a step, except where q = 8 clamps to 7 on the side opposite the max).
    for (let b = 0; b < 8; b++) {
      const block = x.subarray(b * 32, b * 32 + 32);
      const step = Math.max(...block.map(Math.abs)) / 8;
      for (let i = 0; i < 32; i++)
        expect(Math.abs(q4Values[b * 32 + i]! - block[i]!)).toBeLessThanOrEqual(step * 1.001);
    }
  });

  test('Q4_0 nibble order: element j low nibble, element j+16 high nibble of byte j', () => {
    const block = new Uint8Array(18);
    block[0] = 0x00;
    block[1] = 0x3c; // f16 1.0
    block[2] = 0xf0; // element 0 = 0 - 8, element 16 = 15 - 8
    block[17] = 0x9a; // element 15 = 10 - 8, element 31 = 9 - 8
    const v = decodeGgml('Q4_0', block);
    expect([v[0], v[16], v[15], v[31], v[1]]).toEqual([-8, 7, 2, 1, -8]);
    expect(decodeGgml('Q8_0', q4_0ToQ8_0(block))).toEqual(v);
  });

  test.each([
    ['Q4_K', 'q4_k', 144],
    ['Q5_K', 'q5_k', 176],
    ['Q6_K', 'q6_k', 210],
  ] as const)('%s: ggml blocks, kept packed for the GPU', (type, dtype, blockBytes) => {
    const values = seeded(512, 5);
    const blocks = encodeGgml(type, values);
    expect(blocks).toEqual(quantizeKQuant(dtype, values));
    expect(blocks.length).toBe(2 * blockBytes);
    const gpu = toGpuLayout(type, blocks);
    expect(gpu.dtype).toBe(dtype);
    expect(gpu.data).toEqual(kQuantFromGguf(dtype, blocks));
    expect(gpu.data.length).toBe(blocks.length);
    const decoded = decodeGgml(type, blocks);
    expect(decoded).toEqual(Float32Array.from(dequantizeKQuant(dtype, blocks)));
    const rms = Math.sqrt(values.reduce((a, v, i) => a + (v - decoded[i]!) ** 2, 0) / values.length);
    expect(rms).toBeLessThan({ Q4_K: 0.1, Q5_K: 0.05, Q6_K: 0.025 }[type]);
  });

  test('partial blocks are errors', () => {
    expect(() => q4_0ToQ8_0(new Uint8Array(17))).toThrow(
      /Q4_0 data must be a multiple of 18 bytes \(got 17\)/,
    );
    expect(() => decodeGgml('Q8_0', new Uint8Array(35))).toThrow(/Q8_0 data must be a multiple of 34 bytes/);
    expect(() => encodeGgml('Q4_0', new Float32Array(31))).toThrow(/Q4_0 needs a multiple of 32 values/);
    expect(() => encodeGgml('Q6_K', new Float32Array(32))).toThrow(/Q6_K needs a multiple of 256 values/);
    expect(() => decodeGgml('Q5_K', new Uint8Array(177))).toThrow(
      /Q5_K data must be a multiple of 176 bytes/,
    );
  });
});
