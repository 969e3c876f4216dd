import { afterAll, describe, expect, test } from '@jest/globals';
import { loadLlama2c } from '../src/model/llama2c.js';
import { loadModel } from '../src/model/load-model.js';
import type { LayerWeights, WeightTensor } from '../src/model/model-weights.js';
import { patchBytes, sameBytes, tempDir } from './fixtures-gguf.js';
import { modelPath } from '@x/test-models';

const tmp = tempDir();
afterAll(() => tmp.remove());

const STORIES_CONFIG = {
  arch: 'llama',
  dim: 64,
  hiddenDim: 172,
  nLayers: 5,
  nHeads: 8,
  nKvHeads: 4,
  headDim: 8,
  vocabSize: 512,
  maxSeqLen: 512,
  ropeTheta: 10000,
  ropeStyle: 'adjacent',
  qkvBias: false,
};

describe('stories260K', () => {
  const bin = loadLlama2c(modelPath('stories260K.bin'));
  const gguf = loadModel(modelPath('stories260K.gguf'));

  test('the .bin header gives the README config (tied classifier)', () => {
    expect(bin.format).toBe('llama2c');
    expect(bin.config).toEqual({ ...STORIES_CONFIG, normEps: 1e-5, tiedEmbeddings: true });
    expect(bin.weights.output).toBe(bin.weights.tokenEmbedding);
    expect([bin.bosTokenId, bin.eosTokenId, bin.metadata]).toEqual([1, 2, undefined]);
  });

  test('the GGUF gives the same config (its output is a separate copy)', () => {
    expect(gguf.format).toBe('gguf');
    expect(gguf.config).toMatchObject({ ...STORIES_CONFIG, tiedEmbeddings: false });
    expect(gguf.config.normEps).toBeCloseTo(1e-5, 10);
    expect([gguf.bosTokenId, gguf.eosTokenId]).toEqual([1, 2]);
    expect(gguf.metadata?.getString('general.name')).toBe('stories260K');
  });

  test('both files hold identical f32 weights with identical shapes', () => {
    const same = (a: WeightTensor, b: WeightTensor, what: string) => {
      expect([what, a.dtype, a.shape]).toEqual([what, 'f32', b.shape]);
      expect(b.dtype).toBe('f32');
      if (!sameBytes(a.data, b.data)) throw new Error(`${what} differs`);
    };
    same(bin.weights.tokenEmbedding, gguf.weights.tokenEmbedding, 'tokenEmbedding');
    same(bin.weights.outputNorm, gguf.weights.outputNorm, 'outputNorm');
    same(bin.weights.output, gguf.weights.output, 'output');
    expect(bin.weights.layers).toHaveLength(5);
    bin.weights.layers.forEach((layer, i) => {
      for (const key of Object.keys(layer) as (keyof LayerWeights)[])
        same(layer[key]!, gguf.weights.layers[i]![key]!, `layers[${i}].${key}`);
      expect(Object.keys(gguf.weights.layers[i]!).sort()).toEqual(Object.keys(layer).sort());
    });
    expect(bin.weights.layers[0]!.wk.shape).toEqual([32, 64]);
    expect(bin.weights.layers[0]!.wDown.shape).toEqual([64, 172]);
    expect(bin.weights.layers[0]!.attnNorm.shape).toEqual([1, 64]);
    expect(bin.weights.layers[0]!.bq).toBeUndefined();
  });

  test('weights are their own buffers at offset 0', () => {
    const { wq, wk } = bin.weights.layers[1]!;
    expect(wq.data.byteOffset).toBe(0);
    expect(wq.data.buffer).not.toBe(wk.data.buffer);
    expect(new Float32Array(wq.data.buffer).length).toBe(64 * 64);
  });
});

describe('llama2.c errors', () => {
  const bin = modelPath('stories260K.bin');

  test('truncated checkpoint', () => {
    const path = patchBytes(bin, tmp.file('short.bin'), (b) => b.subarray(0, b.length - 4));
    expect(() => loadLlama2c(path)).toThrow(
      /short\.bin: file is 1056536 bytes but its header .* implies 1056540/,
    );
  });

  test('untied classifier: a negative vocab size needs wcls after the other arrays', () => {
    const path = patchBytes(bin, tmp.file('untied.bin'), (_b, v) => v.setInt32(20, -512, true));
    expect(() => loadLlama2c(path)).toThrow(/vocab -512.*implies 1187612/);
    const withCls = patchBytes(bin, tmp.file('untied-ok.bin'), (b) => {
      const out = new Uint8Array(b.length + 512 * 64 * 4);
      out.set(b);
      out.set(b.subarray(28, 28 + 512 * 64 * 4), b.length); // wcls = a copy of the embedding
      new DataView(out.buffer).setInt32(20, -512, true);
      return out;
    });
    const m = loadLlama2c(withCls);
    expect(m.config.tiedEmbeddings).toBe(false);
    expect(m.weights.output).not.toBe(m.weights.tokenEmbedding);
    expect(sameBytes(m.weights.output.data, m.weights.tokenEmbedding.data)).toBe(true);
  });

  test('bad header values and the ak42 export format', () => {
    const heads = patchBytes(bin, tmp.file('heads.bin'), (_b, v) => v.setInt32(16, 3, true));
    expect(() => loadLlama2c(heads)).toThrow(/8 query heads cannot be shared evenly by 3 KV heads/);
    const ak42 = patchBytes(bin, tmp.file('ak42.bin'), (_b, v) => v.setUint32(0, 0x616b3432, true));
    expect(() => loadLlama2c(ak42)).toThrow(/"ak42" magic\) is not supported/);
    const tiny = patchBytes(bin, tmp.file('tiny.bin'), (b) => b.subarray(0, 10));
    expect(() => loadModel(tiny)).toThrow(
      /tiny\.bin: 10 bytes is too short for a llama2\.c checkpoint header/,
    );
  });
});
