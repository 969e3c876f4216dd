import { afterAll, describe, expect, test } from '@jest/globals';
import { gguf as hfGguf } from '@huggingface/gguf';
import { Template } from '@huggingface/jinja';
import { dequantizeKQuant, dequantizeQ8_0, fromF16, isKQuant, kQuantToGguf } from '@x/kernels-webgpu';
import { readFileSync } from 'node:fs';
import { openGguf } from '../src/model/gguf-reader.js';
import { loadModel } from '../src/model/load-model.js';
import type { WeightTensor } from '../src/model/model-weights.js';
import {
  SYNTHETIC_CHAT_TEMPLATE,
  syntheticConfig,
  syntheticParameterCount,
  syntheticPreset,
  writeSyntheticLlamaGguf,
  type SyntheticDType,
} from '../src/model/synthetic-model.js';
import { decodeGgml } from '../src/model/tensor-codecs.js';
import { Tokenizer, TokenType, tokenizerSpecFromMetadata } from '../src/tokenizer/index.js';
import { buildSyntheticVocab } from '../src/model/synthetic-vocab.js';
import { SMALL, sameBytes, tempDir, writeSmall } from './fixtures-gguf.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** A weight's values as floats, whatever its GPU layout. */
function values(t: WeightTensor): Float64Array {
  if (t.dtype === 'q8_0') return dequantizeQ8_0(t.data);
  if (isKQuant(t.dtype)) return dequantizeKQuant(t.dtype, kQuantToGguf(t.dtype, t.data));
  const v =
    t.dtype === 'f16'
      ? fromF16(new Uint16Array(t.data.buffer, t.data.byteOffset, t.data.length / 2))
      : new Float32Array(t.data.buffer, t.data.byteOffset, t.data.length / 4);
  return Float64Array.from(v);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('writeSyntheticLlamaGguf', () => {
  const f32 = loadModel(writeSmall(tmp.file('small-f32.gguf')));

  test.each(['f32', 'f16', 'q8_0', 'q4_0'] as const)('%s round-trips through the reader', (dtype) => {
    const path = writeSmall(tmp.file(`small-${dtype}.gguf`), { dtype });
    const model = loadModel(path);
    expect(model.config).toEqual(syntheticConfig({ ...SMALL, dtype }));
    expect(model.config).toMatchObject({
      dim: 64,
      nKvHeads: 2,
      tiedEmbeddings: true,
      normEps: Math.fround(1e-5),
    });
    const gpuDType = dtype === 'q4_0' ? 'q8_0' : dtype;
    expect(model.weights.layers[1]!.wv.dtype).toBe(gpuDType);
    expect(model.weights.tokenEmbedding.dtype).toBe(gpuDType);
    expect(model.weights.output).toBe(model.weights.tokenEmbedding);
    expect(model.weights.layers[0]!.ffnNorm.dtype).toBe('f32');
    // Same seed, same values up to the storage format's rounding.
    const tol = { f32: 0, f16: 1e-3, q8_0: 2e-3, q4_0: 3e-2 }[dtype];
    const a = values(f32.weights.layers[1]!.wDown);
    const b = values(model.weights.layers[1]!.wDown);
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(tol);
    expect(
      maxAbsDiff(values(f32.weights.layers[0]!.attnNorm), values(model.weights.layers[0]!.attnNorm)),
    ).toBe(0);
  });

  test('Q4_0 weights load as the exact Q8_0 repack of their file values', () => {
    const path = writeSmall(tmp.file('exact-q4_0.gguf'), { dtype: 'q4_0' });
    const file = openGguf(path);
    const fromFile = decodeGgml('Q4_0', file.readTensor('blk.0.attn_q.weight'));
    file.close();
    expect(maxAbsDiff(Float64Array.from(fromFile), values(loadModel(path).weights.layers[0]!.wq))).toBe(0);
  });

  test('q4_k_m: Q6_K embedding, attn_v and ffn_down, Q4_K elsewhere, loaded packed', () => {
    // One layer: ggml's reference K-quant search takes ~2 ms a block under jest.
    const shape = { dim: 256, hiddenDim: 256, nLayers: 1, nHeads: 4, nKvHeads: 2, vocabSize: 400 };
    const path = writeSmall(tmp.file('small-q4_k_m.gguf'), {
      ...shape,
      dtype: 'q4_k_m',
      tiedEmbeddings: false,
    });
    const file = openGguf(path);
    const types = new Map(file.tensors.map((t) => [t.name, t.type]));
    expect(file.metadata.getNumber('general.file_type')).toBe(15); // LLAMA_FTYPE_MOSTLY_Q4_K_M
    file.close();
    expect(
      [
        'token_embd.weight',
        'output.weight',
        'blk.0.attn_v.weight',
        'blk.0.ffn_down.weight',
        'blk.0.attn_q.weight',
        'blk.0.ffn_up.weight',
        'blk.0.attn_norm.weight',
      ].map((n) => types.get(n)),
    ).toEqual(['Q6_K', 'Q6_K', 'Q6_K', 'Q6_K', 'Q4_K', 'Q4_K', 'F32']);
    const model = loadModel(path);
    const f32Model = loadModel(
      writeSmall(tmp.file('small-256-f32.gguf'), { ...shape, tiedEmbeddings: false }),
    );
    for (const [key, dtype, tol] of [
      ['wv', 'q6_k', 0.01],
      ['wq', 'q4_k', 0.04],
    ] as const) {
      expect(model.weights.layers[0]![key].dtype).toBe(dtype);
      expect(
        maxAbsDiff(values(f32Model.weights.layers[0]![key]), values(model.weights.layers[0]![key])),
      ).toBeLessThan(tol);
    }
    expect(model.weights.tokenEmbedding.dtype).toBe('q6_k');
  });

  test('weights are deterministic in the seed, sane in scale', () => {
    const again = writeSmall(tmp.file('small-f32-again.gguf'));
    expect(sameBytes(readFileSync(again), readFileSync(tmp.file('small-f32.gguf')))).toBe(true);
    const other = loadModel(writeSmall(tmp.file('small-seed8.gguf'), { seed: 8 }));
    expect(sameBytes(other.weights.layers[0]!.wq.data, f32.weights.layers[0]!.wq.data)).toBe(false);
    const wq = values(f32.weights.layers[0]!.wq);
    const std = Math.sqrt(wq.reduce((s, v) => s + v * v, 0) / wq.length);
    expect(std).toBeGreaterThan(0.8 / 8);
    expect(std).toBeLessThan(1.2 / 8); // 1/sqrt(fan_in = 64)
    const norm = values(f32.weights.layers[0]!.attnNorm);
    expect(norm.every((v) => v >= 0.9 && v <= 1.1)).toBe(true);
  });

  test('untied option writes an output tensor', () => {
    const m = loadModel(writeSmall(tmp.file('untied.gguf'), { tiedEmbeddings: false }));
    expect(m.config.tiedEmbeddings).toBe(false);
    expect(m.weights.output).not.toBe(m.weights.tokenEmbedding);
    expect(m.weights.output.shape).toEqual([400, 64]);
  });

  test('quantised dtypes need 32-aligned columns: a clear error, no file', () => {
    const path = tmp.file('bad-q8.gguf');
    expect(() => writeSyntheticLlamaGguf(path, { ...SMALL, hiddenDim: 172, dtype: 'q8_0' })).toThrow(
      /GGUF tensor blk\.0\.ffn_down\.weight: Q8_0 needs the innermost dimension to be a multiple of 32, got 172/,
    );
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  test('tokenizer metadata: byte fallback, ▁ pieces, specials and a chat template', () => {
    const md = f32.metadata!;
    const tokens = md.getStringArray('tokenizer.ggml.tokens');
    const types = md.getNumberArray('tokenizer.ggml.token_type');
    expect(tokens).toHaveLength(400);
    expect(new Set(tokens).size).toBe(400);
    expect(tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
    expect(tokens[3 + 0x41]).toBe('<0x41>');
    expect(types.slice(0, 4)).toEqual([2, 3, 3, 6]);
    expect(tokens).toEqual(expect.arrayContaining(['▁', 'a', '▁t', '▁th', '▁the', '▁and']));
    expect(md.getNumberArray('tokenizer.ggml.scores')).toHaveLength(400);
    expect(md.getString('tokenizer.ggml.model')).toBe('llama');
    expect([f32.bosTokenId, f32.eosTokenId]).toEqual([1, 2]);
    expect(md.getBool('tokenizer.ggml.add_bos_token')).toBe(true);
    const chat = new Template(md.getString('tokenizer.chat_template')).render({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Tell a story' },
      ],
      add_generation_prompt: true,
      eos_token: '</s>',
    });
    expect(chat).toBe('Be brief.\n\nUser: Hi\nAssistant: Hello</s>\nUser: Tell a story\nAssistant:');
    expect(md.getString('tokenizer.chat_template')).toBe(SYNTHETIC_CHAT_TEMPLATE);
  });

  test("the engine's tokenizer encodes English with the synthetic vocabulary", () => {
    const tokenizer = new Tokenizer(tokenizerSpecFromMetadata((key) => f32.metadata!.get(key)));
    const ids = tokenizer.encode('the cat and a dog\n');
    const pieces = ids.map((id) => tokenizer.tokenText(id));
    expect(pieces).toEqual(['<s>', '▁the', '▁', 'c', 'a', 't', '▁and', '▁a', '▁d', 'o', 'g', '<0x0A>']);
    expect(tokenizer.decode(ids)).toBe('the cat and a dog\n');
  });

  test.each(['f32', 'f16', 'q8_0'] as SyntheticDType[])(
    '@huggingface/gguf reads the %s file',
    async (dtype) => {
      const path = tmp.file(`small-${dtype}.gguf`);
      const theirs = await hfGguf(path, { allowLocalFile: true, computeParametersCount: true });
      const ours = openGguf(path);
      ours.close();
      const md = theirs.metadata as unknown as Record<string, unknown>;
      expect(md['general.architecture']).toBe('llama');
      expect(md['llama.block_count']).toBe(2);
      expect(md['llama.attention.head_count_kv']).toBe(2);
      expect(md['tokenizer.ggml.tokens']).toEqual(ours.metadata.getStringArray('tokenizer.ggml.tokens'));
      expect(Number(theirs.tensorDataOffset)).toBe(ours.dataOffset);
      expect(theirs.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype, Number(t.offset)])).toEqual(
        ours.tensors.map((t) => [
          t.name,
          t.dims,
          { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q5_K: 13, Q6_K: 14 }[t.type],
          t.offset - ours.dataOffset,
        ]),
      );
      expect(theirs.parameterCount).toBe(syntheticParameterCount(SMALL));
    },
  );
});

describe('presets', () => {
  test('tiny-random-llama writes and loads (f32 and q8_0)', () => {
    for (const dtype of ['f32', 'q8_0'] as SyntheticDType[]) {
      const path = tmp.file(`tiny-${dtype}.gguf`);
      writeSyntheticLlamaGguf(path, syntheticPreset('tiny-random-llama', { dtype }));
      const m = loadModel(path);
      expect(m.config).toMatchObject({
        dim: 64,
        nLayers: 4,
        nHeads: 8,
        nKvHeads: 4,
        vocabSize: 512,
        maxSeqLen: 2048,
      });
      expect(m.metadata?.getString('general.name')).toBe('tiny-random-llama');
      expect(m.metadata?.getStringArray('tokenizer.ggml.tokens')).toEqual(
        expect.arrayContaining(['▁Once', '▁upon', '▁little']),
      );
    }
  });

  test('benchmark shapes have llama2.c stories15M / stories110M parameter counts', () => {
    expect(syntheticParameterCount(syntheticPreset('random-llama-15m'))).toBe(15_191_712);
    expect(syntheticParameterCount(syntheticPreset('random-llama-110m'))).toBe(109_529_856);
    expect(syntheticParameterCount(syntheticPreset('tiny-random-llama'))).toBeLessThan(400_000);
  });

  test('a 32000-token vocabulary pads the word pieces with unused tokens', () => {
    const vocab = buildSyntheticVocab(32000);
    expect(vocab.tokens).toHaveLength(32000);
    expect(new Set(vocab.tokens).size).toBe(32000);
    expect(vocab.tokens[31999]).toBe('<unused_31999>');
    expect(vocab.types[31999]).toBe(TokenType.unused);
    expect(() => buildSyntheticVocab(300)).toThrow(/synthetic vocabulary needs at least 354 tokens, got 300/);
  });
});
