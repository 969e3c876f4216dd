import { afterAll, describe, expect, test } from '@jest/globals';
import { gguf as hfGguf } from '@huggingface/gguf';
import { openGguf } from '../src/model/gguf-reader.js';
import { writeGguf } from '../src/model/gguf-writer.js';
import { gguf, type GgufEntry } from '../src/model/gguf-metadata.js';
import { decodeGgml } from '../src/model/tensor-codecs.js';
import { sameBytes, tempDir } from './fixtures-gguf.js';
import { modelPath } from '@x/test-models';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('stories260K.gguf', () => {
  const path = modelPath('stories260K.gguf');

  test('header and metadata match the README', () => {
    const f = openGguf(path);
    try {
      expect(f.version).toBe(3);
      expect(f.alignment).toBe(32);
      const md = f.metadata;
      expect(md.getString('general.architecture')).toBe('llama');
      expect(md.getNumber('llama.embedding_length')).toBe(64);
      expect(md.getNumber('llama.feed_forward_length')).toBe(172);
      expect(md.getNumber('llama.block_count')).toBe(5);
      expect(md.getNumber('llama.attention.head_count')).toBe(8);
      expect(md.getNumber('llama.attention.head_count_kv')).toBe(4);
      expect(md.getNumber('llama.context_length')).toBe(512);
      expect(md.getNumber('llama.vocab_size')).toBe(512);
      expect(md.getNumber('llama.attention.layer_norm_rms_epsilon')).toBeCloseTo(1e-5, 10);
      expect(md.getString('tokenizer.ggml.model')).toBe('llama');
      expect(md.getStringArray('tokenizer.ggml.tokens').slice(0, 4)).toEqual([
        '<unk>',
        '<s>',
        '</s>',
        '<0x00>',
      ]);
      expect(md.getNumberArray('tokenizer.ggml.token_type').slice(0, 4)).toEqual([2, 3, 3, 6]);
      expect(md.getNumberArray('tokenizer.ggml.scores')).toHaveLength(512);
      expect(md.getNumber('tokenizer.ggml.bos_token_id')).toBe(1);
      expect(md.getBool('tokenizer.ggml.add_bos_token')).toBe(true);
      expect(md.entry('llama.block_count')?.type).toBe('u32');
    } finally {
      f.close();
    }
  });

  test('tensor table: 48 F32 tensors with llama.cpp names, dims innermost first', () => {
    const f = openGguf(path);
    f.close(); // the table stays readable
    expect(f.tensors).toHaveLength(48);
    expect(f.tensors.every((t) => t.type === 'F32')).toBe(true);
    expect(f.tensor('token_embd.weight').dims).toEqual([64, 512]);
    expect(f.tensor('blk.0.attn_k.weight').dims).toEqual([64, 32]);
    expect(f.tensor('blk.4.ffn_down.weight').dims).toEqual([172, 64]);
    expect(f.tensor('output_norm.weight').dims).toEqual([64]);
    expect(f.tensor('output.weight').dims).toEqual([64, 512]);
    const perLayer = [
      'attn_norm',
      'attn_q',
      'attn_k',
      'attn_v',
      'attn_output',
      'ffn_norm',
      'ffn_gate',
      'ffn_down',
      'ffn_up',
    ];
    for (let l = 0; l < 5; l++)
      for (const n of perLayer) expect(f.findTensor(`blk.${l}.${n}.weight`)).toBeDefined();
    for (const t of f.tensors) expect((t.offset - f.dataOffset) % 32).toBe(0);
    expect(() => f.readTensor('output.weight')).toThrow(/closed/);
  });

  test('agrees with @huggingface/gguf on the data offset and every tensor', async () => {
    const theirs = await hfGguf(path, { allowLocalFile: true });
    const f = openGguf(path);
    f.close();
    expect(f.dataOffset).toBe(Number(theirs.tensorDataOffset));
    expect(theirs.tensorInfos.map((t) => [t.name, t.shape.map(Number), Number(t.offset)])).toEqual(
      f.tensors.map((t) => [t.name, t.dims, t.offset - f.dataOffset]),
    );
  });

  test('readTensor returns the bytes in a fresh buffer', () => {
    const f = openGguf(path);
    try {
      const emb = f.readTensor('token_embd.weight');
      expect(emb.byteOffset).toBe(0);
      expect(emb.byteLength).toBe(64 * 512 * 4);
      const out = f.readTensor('output.weight');
      expect(sameBytes(out, emb)).toBe(true); // the README: output is a copy of the embedding
      const norm = decodeGgml('F32', f.readTensor('output_norm.weight'));
      expect(norm.every(Number.isFinite)).toBe(true);
    } finally {
      f.close();
    }
  });

  test('accessors fail with the file, key and what was expected', () => {
    const f = openGguf(path);
    f.close();
    expect(() => f.metadata.getString('llama.block_count')).toThrow(
      /stories260K\.gguf: metadata key llama\.block_count is a u32 \(5\), expected a string/,
    );
    expect(() => f.metadata.getNumber('nope.key')).toThrow(
      /metadata key nope\.key is missing \(expected a number\)/,
    );
    expect(() => f.metadata.getArray('tokenizer.ggml.tokens', 'f32')).toThrow(
      /tokenizer\.ggml\.tokens is an array of 512 string, expected an array of f32/,
    );
    expect(() => f.metadata.getBool('general.name')).toThrow(/expected a bool/);
    expect(() => f.tensor('nope.weight')).toThrow(/tensor nope\.weight is missing/);
  });
});

describe('metadata value types', () => {
  const entries: Record<string, GgufEntry> = {
    'v.u8': gguf.u8(255),
    'v.i8': gguf.i8(-128),
    'v.u16': gguf.u16(65535),
    'v.i16': gguf.i16(-32768),
    'v.u32': gguf.u32(4294967295),
    'v.i32': gguf.i32(-2147483648),
    'v.f32': gguf.f32(1.5),
    'v.f64': gguf.f64(Math.PI),
    'v.u64': gguf.u64(2n ** 64n - 1n),
    'v.i64': gguf.i64(-(2n ** 63n)),
    'v.bool': gguf.bool(false),
    'v.string': gguf.string('héllo ▁wörld'),
    'v.empty': gguf.string(''),
    'v.strings': gguf.array('string', ['a', '', '<0x0A>']),
    'v.nested': gguf.array('array', [
      { itemType: 'i32', items: [1, -2] },
      { itemType: 'string', items: ['x'] },
    ]),
    'v.none': gguf.array('f32', []),
  };

  test.each([2, 3] as const)('round-trip through the writer and reader, GGUF v%d', (version) => {
    const path = tmp.file(`types-v${version}.gguf`);
    writeGguf(path, entries, [{ name: 't', dims: [4], type: 'F32', data: new Uint8Array(16) }], { version });
    const f = openGguf(path);
    f.close();
    expect(f.version).toBe(version);
    expect(f.metadata.keys()).toEqual(Object.keys(entries));
    for (const [k, e] of Object.entries(entries)) expect(f.metadata.entry(k)).toEqual(e);
    expect(f.metadata.getNumber('v.u32')).toBe(4294967295);
    expect(() => f.metadata.getNumber('v.u64')).toThrow(/too large for a JS number/);
    expect(f.metadata.getNumber('v.i8')).toBe(-128);
    expect(f.metadata.get('v.strings')).toEqual(['a', '', '<0x0A>']);
    expect(f.metadata.get('v.nested')).toEqual([[1, -2], ['x']]);
    expect(f.metadata.get('v.u64')).toBe(2n ** 64n - 1n);
    expect(f.metadata.get('v.absent')).toBeUndefined();
    expect(f.dataOffset % 32).toBe(0);
    expect(f.tensor('t')).toMatchObject({ dims: [4], type: 'F32', byteLength: 16, offset: f.dataOffset });
  });

  test('@huggingface/gguf parses the same values', async () => {
    const path = tmp.file('types-hf.gguf');
    writeGguf(path, entries, [{ name: 't', dims: [4], type: 'F32', data: new Uint8Array(16) }]);
    const { metadata } = await hfGguf(path, { allowLocalFile: true });
    const theirs = metadata as unknown as Record<string, unknown>;
    expect(theirs['v.u8']).toBe(255);
    expect(theirs['v.i32']).toBe(-2147483648);
    expect(theirs['v.f64']).toBe(Math.PI);
    expect(theirs['v.u64']).toBe(2n ** 64n - 1n);
    expect(theirs['v.string']).toBe('héllo ▁wörld');
    expect(theirs['v.strings']).toEqual(['a', '', '<0x0A>']);
    expect(theirs['v.nested']).toEqual([[1, -2], ['x']]);
  });

  test('the writer refuses values that do not fit their type', () => {
    const path = tmp.file('bad-value.gguf');
    expect(() => writeGguf(path, { k: gguf.u8(256) }, [])).toThrow(/GGUF metadata k: 256 is not a u8/);
    expect(() => writeGguf(path, { k: gguf.array('u32', [1, -1]) }, [])).toThrow(/k\[1\]: -1 is not a u32/);
    expect(() =>
      writeGguf(path, {}, [{ name: 'w', dims: [4], type: 'F32', data: new Uint8Array(15) }]),
    ).toThrow(/GGUF tensor w: 15 bytes of data, expected 16/);
  });
});
