import { describe, expect, test } from '@jest/globals';
import {
  dequantizeKQuant,
  f32ToF16Bits,
  kQuantFromGguf,
  kQuantToGguf,
  quantizeKQuant,
  type KQuantDType,
} from '../src/index.js';
import { randomF32, rng } from '../src/testing/index.js';

/** A zeroed block of `bytes` with f16 values written at the given offsets. */
function block(bytes: number, halves: Record<number, number>): Uint8Array {
  const b = new Uint8Array(bytes);
  for (const [at, v] of Object.entries(halves)) {
    const h = f32ToF16Bits(v);
    b[Number(at)] = h & 0xff;
    b[Number(at) + 1] = h >> 8;
  }
  return b;
}

describe('K-quant decoders on blocks decoded by hand', () => {
  test('Q4_K: d·sc·q - dmin·m with 6-bit scales packed as get_scale_min_k4 reads them', () => {
    const b = block(144, { 0: 1, 2: 0.5 });
    const sc = 4; // the 12 scale bytes start at byte 4
    b[sc + 0] = 2; // sub-block 0: scale 2 ...
    b[sc + 4] = 3; // ... min 3
    // Sub-block 5: scale 37 = 0b10_0101, min 26 = 0b01_1010: low nibbles in byte 9,
    // high bits in the top of bytes 1 (scale) and 5 (min).
    b[sc + 9] = 0x5 | (0xa << 4);
    b[sc + 1] = 2 << 6;
    b[sc + 5] = 1 << 6;
    b[16 + 0] = 7; // value 0: low nibble of qs[0]
    b[16 + 64 + 3] = 9 << 4; // value 163 = 32·5 + 3: high nibble of qs[64 + 3]
    const v = dequantizeKQuant('q4_k', b);
    expect(v[0]).toBe(1 * 2 * 7 - 0.5 * 3);
    expect(v[163]).toBe(37 * 9 - 0.5 * 26);
    expect(v[32 + 1]).toBe(0); // sub-block 1: scale and min read as 0 despite the high bits above
    expect(v[1]).toBe(-1.5);
  });

  test('Q5_K: the fifth bit of sub-block j is bit j of qh[l]', () => {
    const b = block(176, { 0: 1, 2: 0 });
    const sc = 4;
    b[sc + 3] = 5; // sub-block 3: scale 5
    b[sc + 10] = 0x3; // sub-block 6: scale 0b11_0011 = 51 ...
    b[sc + 2] = 0xc0; // ... its high bits
    b[48 + 32 + 4] = 0xa << 4; // value 3·32 + 4: high nibble of qs[32 + 4] ...
    b[16 + 4] = 1 << 3; // ... plus 16 from bit 3 of qh[4]
    b[48 + 96 + 31] = 1; // value 6·32 + 31: low nibble of qs[96 + 31], qh bit 6 clear
    const v = dequantizeKQuant('q5_k', b);
    expect(v[3 * 32 + 4]).toBe(5 * 26);
    expect(v[6 * 32 + 31]).toBe(51 * 1);
    expect(v[2 * 32]).toBe(0);
  });

  test('Q6_K: d·sc[v/16]·(q - 32), q from ql nibbles and qh bit pairs', () => {
    const b = block(210, { 208: 0.25 });
    b[0] = 0x05; // value 0: low 4 bits 5 ...
    b[128] = 0x02; // ... bits 4-5 from qh[0] & 3: q = 37
    b[192] = 0xfd; // sc[0] = -3
    // Value 193 = 128 + 64 + 1 (h 1, g 2, l 1): high nibble of ql[64 + 1], qh[32 + 1] >> 4.
    b[65] = 0xf0;
    b[128 + 33] = 0x30;
    b[192 + 12] = 7;
    const v = dequantizeKQuant('q6_k', b);
    expect(v[0]).toBe(0.25 * -3 * 5);
    expect(v[193]).toBe(0.25 * 7 * 31);
    expect(v[1]).toBe(0.25 * -3 * -32);
  });
});

describe.each<[KQuantDType, number]>([
  // RMS error over RMS value for uniform data, a little above what ggml's
  // reference algorithm reaches here (0.054, 0.028, 0.013 over 64 blocks).
  ['q4_k', 0.065],
  ['q5_k', 0.033],
  ['q6_k', 0.016],
])('%s round trip', (dtype, maxRelRms) => {
  test('quantise then decode stays within the format’s error; scaled and zero blocks too', () => {
    const n = 4 * 256;
    const values = randomF32(n, rng(n + dtype.length), 0.1);
    values.subarray(256, 512).fill(0); // an all-zero super-block
    for (let i = 512; i < 768; i++) values[i]! *= 1000; // a super-block of large values
    const blocks = quantizeKQuant(dtype, values);
    expect(blocks.length).toBe((n / 256) * { q4_k: 144, q5_k: 176, q6_k: 210 }[dtype]);
    const decoded = dequantizeKQuant(dtype, blocks);
    for (let b = 0; b < n / 256; b++) {
      let err = 0;
      let sum = 0;
      for (let i = 256 * b; i < 256 * (b + 1); i++) {
        err += (decoded[i]! - values[i]!) ** 2;
        sum += values[i]! ** 2;
      }
      if (sum === 0) expect(err).toBe(0);
      else expect(Math.sqrt(err / sum)).toBeLessThan(maxRelRms);
    }
  });

  test('the GPU layout round-trips to the same GGUF bytes', () => {
    const blocks = quantizeKQuant(dtype, randomF32(3 * 256, rng(3)));
    const gpu = kQuantFromGguf(dtype, blocks);
    expect(gpu.length).toBe(blocks.length);
    expect(kQuantToGguf(dtype, gpu)).toEqual(blocks);
  });
});

test('the GPU layout regroups a chunk’s bits: Q6_K value 193 (chunk 6, value 1 of it)', () => {
  const b = block(210, { 208: 1 });
  b[65] = 0xf0; // low 4 bits of value 193 (high nibble of ql[64 + 1]) ...
  b[128 + 33] = 0x30; // ... and bits 4-5 (qh[32 + 1] >> 4): q = 63
  const gpu = kQuantFromGguf('q6_k', b);
  expect(gpu[16 * 6 + 1]).toBe(0x0f); // lo: byte 1 of chunk 6's 16, low nibble
  expect(gpu[128 + 8 * 6 + 1]).toBe(0x03); // hi: word 0 of chunk 6's two, byte 1, bits 0-1
  expect([gpu[208], gpu[209]]).toEqual([0x00, 0x3c]); // the f16 d (1.0), after the block's body
  expect(gpu.reduce((n, x) => n + (x ? 1 : 0), 0)).toBe(3); // nothing else
});

test('K-quant quantisers reject a count that is not whole super-blocks', () => {
  expect(() => quantizeKQuant('q4_k', new Float32Array(255))).toThrow(/multiple of 256/);
  expect(() => dequantizeKQuant('q6_k', new Uint8Array(211))).toThrow(/multiple of 210 bytes/);
});
