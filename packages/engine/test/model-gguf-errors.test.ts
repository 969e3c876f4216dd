import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { gguf } from '../src/model/gguf-metadata.js';
import { openGguf } from '../src/model/gguf-reader.js';
import { writeGguf } from '../src/model/gguf-writer.js';
import { loadModel } from '../src/model/load-model.js';
import { patchBytes, tempDir, tensorTypeOffset } from './fixtures-gguf.js';

const tmp = tempDir();
let good: string;
let secondEnd: number;
beforeAll(() => {
  good = tmp.file('good.gguf');
  writeGguf(
    good,
    {
      'general.architecture': gguf.string('llama'),
      'x.flag': gguf.bool(true),
      'x.list': gguf.array('u32', [1, 2, 3]),
    },
    [
      { name: 'first.weight', dims: [8, 2], type: 'F32', data: new Uint8Array(64) },
      { name: 'second.weight', dims: [32, 2], type: 'Q8_0', data: new Uint8Array(68) },
    ],
  );
  const f = openGguf(good);
  f.close();
  secondEnd = f.tensor('second.weight').offset + 68;
});
afterAll(() => tmp.remove());

let n = 0;
function patched(patch: Parameters<typeof patchBytes>[2]): string {
  return patchBytes(good, tmp.file(`bad-${n++}.gguf`), patch);
}

/** Offset of the first occurrence of `text` in the file bytes. */
function find(bytes: Uint8Array, text: string): number {
  const i = Buffer.from(bytes).indexOf(text);
  if (i < 0) throw new Error(`${text} not in file`);
  return i;
}

describe('corrupt and unsupported GGUF files', () => {
  test('the unpatched file reads', () => {
    const f = openGguf(good);
    f.close();
    expect(f.tensors.map((t) => [t.name, t.type, t.byteLength])).toEqual([
      ['first.weight', 'F32', 64],
      ['second.weight', 'Q8_0', 68],
    ]);
    expect(f.tensor('second.weight').offset).toBe(f.dataOffset + 64);
  });

  test('wrong magic; loadModel then tries llama2.c and says both failed', () => {
    const path = patched((b) => b.set([0x47, 0x47, 0x4d, 0x4c], 0)); // "GGML"
    expect(() => openGguf(path)).toThrow(
      /bad-\d+\.gguf: not a GGUF file \(magic 0x4c4d4747, expected "GGUF"\)/,
    );
    expect(() => loadModel(path)).toThrow(
      /not a GGUF file \(no "GGUF" magic\), nor a valid llama2\.c checkpoint: .*bad-\d+\.gguf \(header .*\): nHeads is 0/,
    );
  });

  test('empty file', () => {
    const path = tmp.file('empty.gguf');
    writeFileSync(path, new Uint8Array(0));
    expect(() => openGguf(path)).toThrow(
      /empty\.gguf: truncated file: magic needs 4 bytes at offset 0, but the file is 0 bytes/,
    );
  });

  test.each([
    [1, /GGUF version 1 is not supported \(supported: 2, 3\)/],
    [4, /GGUF version 4 is not supported/],
    [0x03000000, /big-endian GGUF files are not supported/],
  ])('version %d', (version, message) => {
    expect(() => openGguf(patched((_b, v) => v.setUint32(4, version, true)))).toThrow(message);
  });

  test('truncated in the metadata, the tensor table, and the tensor data', () => {
    const inMetadata = patched((b) => b.subarray(0, find(b, 'x.list') + 3));
    expect(() => openGguf(inMetadata)).toThrow(
      /length of metadata key #2 is 6, more than the 3 bytes left in the file allow/,
    );
    const inTable = patched((b) => b.subarray(0, find(b, 'second.weight') + 20));
    expect(() => openGguf(inTable)).toThrow(/truncated file: .* tensor second\.weight needs \d+ bytes/);
    const inData = patched((b) => b.subarray(0, secondEnd - 10));
    expect(() => openGguf(inData)).toThrow(
      `tensor second.weight (Q8_0 [32, 2]) ends at byte ${secondEnd}, past the end of the file (${secondEnd - 10} bytes): truncated file`,
    );
  });

  test.each([
    [
      10,
      /tensor second\.weight has type Q2_K, which this engine cannot load \(supported: F32, F16, Q4_0, Q8_0, Q4_K, Q5_K, Q6_K\)/,
    ],
    [30, /tensor second\.weight has type BF16/],
    [11, /has type Q3_K/],
    [99, /has type unknown type 99/],
  ])('unsupported tensor type id %d', (id, message) => {
    const path = patched((b, v) => v.setUint32(tensorTypeOffset(b, 'second.weight', 2), id, true));
    expect(() => openGguf(path)).toThrow(message);
  });

  test('quantised rows that are not whole blocks', () => {
    const path = patched((b, v) => v.setBigUint64(find(b, 'second.weight') + 13 + 4, 33n, true));
    expect(() => openGguf(path)).toThrow(
      /tensor second\.weight: Q8_0 needs the innermost dimension to be a multiple of 32, got 33/,
    );
    const kQuant = patched((b, v) => v.setUint32(tensorTypeOffset(b, 'second.weight', 2), 14, true));
    expect(() => openGguf(kQuant)).toThrow(
      /tensor second\.weight: Q6_K needs the innermost dimension to be a multiple of 256, got 32/,
    );
  });

  test('a tensor offset off the alignment', () => {
    const path = patched((b, v) => v.setBigUint64(tensorTypeOffset(b, 'second.weight', 2) + 4, 65n, true));
    expect(() => openGguf(path)).toThrow(
      /tensor second\.weight offset 65 is not a multiple of the alignment 32/,
    );
  });

  test('too many dimensions', () => {
    const path = patched((b, v) => v.setUint32(find(b, 'first.weight') + 12, 5, true));
    expect(() => openGguf(path)).toThrow(/tensor first\.weight has 5 dimensions, expected 1 to 4/);
  });

  test('absurd counts and lengths are caught before allocating', () => {
    const items = patched((b, v) => v.setBigUint64(find(b, 'x.list') + 6 + 4 + 4, 2n ** 40n, true));
    expect(() => openGguf(items)).toThrow(
      /item count of x\.list is 1099511627776, more than the \d+ bytes left in the file allow/,
    );
    const tensors = patched((_b, v) => v.setBigUint64(8, 2n ** 62n, true));
    expect(() => openGguf(tensors)).toThrow(/tensor count is 4611686018427387904, more than/);
  });

  test('a bool that is neither 0 nor 1, an unknown value type, a duplicate key', () => {
    const bool = patched((b) => b.set([7], find(b, 'x.flag') + 6 + 4));
    expect(() => openGguf(bool)).toThrow(/metadata key x\.flag is a bool stored as 7, expected 0 or 1/);
    const type = patched((b, v) => v.setUint32(find(b, 'x.flag') + 6, 13, true));
    expect(() => openGguf(type)).toThrow(/metadata key x\.flag has unknown value type 13/);
    const dup = patched((b) => b.set(Buffer.from('x.flag'), find(b, 'x.list')));
    expect(() => openGguf(dup)).toThrow(/metadata key x\.flag appears twice/);
  });

  test('a non-power-of-two alignment', () => {
    const path = tmp.file('align.gguf');
    writeGguf(path, { 'general.alignment': gguf.u32(24) }, []);
    expect(() => openGguf(path)).toThrow(/general\.alignment is 24, expected a power of two/);
  });

  test('custom alignment is honoured by writer and reader', () => {
    const path = tmp.file('align64.gguf');
    writeGguf(path, { 'general.alignment': gguf.u32(64) }, [
      { name: 'a', dims: [3], type: 'F32', data: new Uint8Array(12) },
      { name: 'b', dims: [2], type: 'F16', data: new Uint8Array([0, 0x3c, 0, 0xc0]) },
    ]);
    const f = openGguf(path);
    expect(f.alignment).toBe(64);
    expect(f.dataOffset % 64).toBe(0);
    expect(f.tensor('b').offset - f.dataOffset).toBe(64);
    expect(Array.from(f.readTensor('b'))).toEqual([0, 0x3c, 0, 0xc0]);
    f.close();
  });
});
