import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { gguf, type GgufEntry } from '../src/model/gguf-metadata.js';
import { loadModel } from '../src/model/load-model.js';
import { encodeGgml } from '../src/model/tensor-codecs.js';
import { rewriteGguf, SMALL, tempDir, writeSmall, type GgufContents } from './fixtures-gguf.js';
import { syntheticConfig } from '../src/model/synthetic-model.js';

const tmp = tempDir();
let small: string;
beforeAll(() => {
  small = writeSmall(tmp.file('small.gguf'));
});
afterAll(() => tmp.remove());

let n = 0;
/** {@link small} rewritten with `edit`, under a fresh name. */
function edited(edit: (c: GgufContents) => void): string {
  return rewriteGguf(small, tmp.file(`edited-${n++}.gguf`), edit);
}

function biasTensors(c: GgufContents, layers: number[]): void {
  for (const l of layers)
    for (const [name, width] of [
      ['attn_q', 64],
      ['attn_k', 32],
      ['attn_v', 32],
    ] as const) {
      const values = Float32Array.from({ length: width }, (_, i) => l + i / 100);
      c.tensors.push({
        name: `blk.${l}.${name}.bias`,
        dims: [width],
        type: 'F32',
        data: encodeGgml('F32', values),
      });
    }
}

const SMALL_QWEN3 = { arch: 'qwen3', headDim: 32, name: 'small-qwen3' } as const;

function ropeFreqs(values: Float32Array): GgufContents['tensors'][number] {
  return { name: 'rope_freqs.weight', dims: [values.length], type: 'F32', data: encodeGgml('F32', values) };
}

/** The same model under `qwen2.*` keys. */
function asQwen2(c: GgufContents): void {
  const renamed = new Map<string, GgufEntry>();
  for (const [k, v] of c.metadata) renamed.set(k.replace(/^llama\./, 'qwen2.'), v);
  renamed.set('general.architecture', gguf.string('qwen2'));
  c.metadata = renamed;
}

describe('model config from GGUF metadata', () => {
  test('llama with grouped-query attention and tied embeddings', () => {
    expect(loadModel(small).config).toEqual({
      arch: 'llama',
      dim: 64,
      hiddenDim: 96,
      nLayers: 2,
      nHeads: 4,
      nKvHeads: 2,
      headDim: 16,
      vocabSize: 400,
      maxSeqLen: 128,
      normEps: Math.fround(1e-5),
      ropeTheta: 10000,
      ropeStyle: 'adjacent',
      tiedEmbeddings: true,
      qkvBias: false,
    });
  });

  test('qwen2: NeoX RoPE and Q/K/V biases as f32 vectors', () => {
    const m = loadModel(
      edited((c) => {
        asQwen2(c);
        biasTensors(c, [0, 1]);
        c.metadata.set('qwen2.rope.freq_base', gguf.f32(1e6));
      }),
    );
    expect(m.config).toMatchObject({
      arch: 'qwen2',
      ropeStyle: 'neox',
      qkvBias: true,
      ropeTheta: 1e6,
      nKvHeads: 2,
    });
    const { bq, bk, bv } = m.weights.layers[1]!;
    expect([bq?.shape, bk?.shape, bv?.shape]).toEqual([
      [1, 64],
      [1, 32],
      [1, 32],
    ]);
    expect(bk?.dtype).toBe('f32');
    expect(new Float32Array(bk!.data.buffer)[3]).toBeCloseTo(1.03, 6);
  });

  test('qwen2 without biases names the missing tensor', () => {
    expect(() => loadModel(edited(asQwen2))).toThrow(
      /edited-\d+\.gguf: tensor blk\.0\.attn_q\.bias is missing/,
    );
  });

  test('llama with biases on only some layers is an error', () => {
    expect(() => loadModel(edited((c) => biasTensors(c, [0])))).toThrow(
      /tensor blk\.1\.attn_q\.bias is missing/,
    );
  });

  test('defaults: no head_count_kv means one KV head per query head; no freq_base means 10000', () => {
    const m = loadModel(
      edited((c) => {
        c.metadata.delete('llama.attention.head_count_kv');
        c.metadata.delete('llama.rope.freq_base');
        c.metadata.delete('llama.vocab_size'); // falls back to the tokenizer's size
        c.tensors = c.tensors.map((t) =>
          /attn_[kv]\.weight$/.test(t.name) ? { ...t, dims: [64, 64], data: new Uint8Array(64 * 64 * 4) } : t,
        );
      }),
    );
    expect(m.config).toMatchObject({ nKvHeads: 4, ropeTheta: 10000, vocabSize: 400 });
    expect(m.weights.layers[0]!.wk.shape).toEqual([64, 64]);
  });

  test('RoPE scaling: rope_freqs.weight and a linear factor both divide the pair frequencies', () => {
    const llama3 = [1, 1, 1.5, 2, 4, 8, 8, 8];
    expect(
      loadModel(
        edited((c) => {
          c.metadata.set('llama.rope.scaling.type', gguf.string('llama3'));
          c.tensors.unshift(ropeFreqs(Float32Array.from(llama3)));
        }),
      ).config.ropeFreqFactors,
    ).toEqual(llama3);
    const linear = (edit: (c: GgufContents) => void) => loadModel(edited(edit)).config.ropeFreqFactors;
    expect(
      linear((c) => {
        c.metadata.set('llama.rope.scaling.type', gguf.string('linear'));
        c.metadata.set('llama.rope.scaling.factor', gguf.f32(4));
      }),
    ).toEqual(new Array(8).fill(4));
    // As llama.cpp: the factor applies whatever the type, the older key first, 0 means none.
    expect(linear((c) => c.metadata.set('llama.rope.scale_linear', gguf.f32(2)))).toEqual(
      new Array(8).fill(2),
    );
    expect(linear((c) => c.metadata.set('llama.rope.scaling.factor', gguf.f32(0)))).toBeUndefined();
    expect(
      linear((c) => {
        c.metadata.set('llama.rope.scaling.factor', gguf.f32(2));
        c.tensors.push(ropeFreqs(Float32Array.from(llama3)));
      }),
    ).toEqual(llama3.map((f) => f * 2));
  });

  test('qwen3: per-head Q/K norms, heads not dim / nHeads wide, NeoX RoPE', () => {
    const o = { ...SMALL_QWEN3 };
    const m = loadModel(writeSmall(tmp.file('qwen3.gguf'), o));
    expect(m.config).toEqual(syntheticConfig({ ...SMALL, ...o }));
    expect(m.config).toMatchObject({ arch: 'qwen3', headDim: 32, ropeStyle: 'neox', qkNorm: true });
    expect(m.weights.layers[1]!.kNorm!.shape).toEqual([1, 32]);
    expect(m.weights.layers[0]!.wq.shape).toEqual([128, 64]);
  });

  test('an untied output and F16 norms (decoded to f32)', () => {
    const m = loadModel(
      edited((c) => {
        c.tensors.push({
          name: 'output.weight',
          dims: [64, 400],
          type: 'F16',
          data: new Uint8Array(64 * 400 * 2),
        });
        c.tensors = c.tensors.map((t) =>
          t.name === 'output_norm.weight'
            ? {
                ...t,
                type: 'F16',
                data: encodeGgml(
                  'F16',
                  Float32Array.from({ length: 64 }, () => 0.5),
                ),
              }
            : t,
        );
      }),
    );
    expect(m.config.tiedEmbeddings).toBe(false);
    expect(m.weights.output.dtype).toBe('f16');
    expect(m.weights.outputNorm.dtype).toBe('f32');
    expect(new Float32Array(m.weights.outputNorm.data.buffer)[63]).toBe(0.5);
  });
});

describe('config and weight errors', () => {
  const cases: [string, (c: GgufContents) => void, RegExp][] = [
    [
      'unsupported architecture',
      (c) => c.metadata.set('general.architecture', gguf.string('gemma')),
      /unsupported architecture gemma \(supported: llama, qwen2, qwen3\)/,
    ],
    [
      'missing architecture',
      (c) => c.metadata.delete('general.architecture'),
      /metadata key general\.architecture is missing \(expected a string\)/,
    ],
    [
      'missing block count',
      (c) => c.metadata.delete('llama.block_count'),
      /metadata key llama\.block_count is missing \(expected a number\)/,
    ],
    [
      'mistyped embedding length',
      (c) => c.metadata.set('llama.embedding_length', gguf.string('64')),
      /metadata key llama\.embedding_length is a string \(64\), expected a number/,
    ],
    [
      'missing rms epsilon',
      (c) => c.metadata.delete('llama.attention.layer_norm_rms_epsilon'),
      /llama\.attention\.layer_norm_rms_epsilon is missing/,
    ],
    [
      'heads that do not divide',
      (c) => c.metadata.set('llama.attention.head_count_kv', gguf.u32(3)),
      /4 query heads cannot be shared evenly by 3 KV heads/,
    ],
    [
      'partial RoPE',
      (c) => c.metadata.set('llama.rope.dimension_count', gguf.u32(8)),
      /llama\.rope\.dimension_count is 8 but heads are 16 wide; partial RoPE is not supported/,
    ],
    [
      'YaRN RoPE scaling',
      (c) => c.metadata.set('llama.rope.scaling.type', gguf.string('yarn')),
      /\.gguf: llama\.rope\.scaling\.type is yarn; supported RoPE scaling: none, linear, llama3$/,
    ],
    [
      'llama3 scaling without its factors',
      (c) => c.metadata.set('llama.rope.scaling.type', gguf.string('llama3')),
      /llama\.rope\.scaling\.type is llama3 but tensor rope_freqs\.weight is missing/,
    ],
    [
      'rope_freqs of the wrong length',
      (c) => c.tensors.push(ropeFreqs(new Float32Array(16).fill(1))),
      /tensor rope_freqs\.weight has dims \[16\], expected \[8\] \(half the head size\)/,
    ],
    [
      'a zero rope_freqs value',
      (c) => c.tensors.push(ropeFreqs(new Float32Array(8))),
      /tensor rope_freqs\.weight has a value that is not positive and finite/,
    ],
    [
      'rope_freqs on qwen2',
      (c) => {
        asQwen2(c);
        biasTensors(c, [0, 1]);
        c.tensors.push(ropeFreqs(new Float32Array(8).fill(1)));
      },
      /tensor rope_freqs\.weight is supported for llama only, not qwen2/,
    ],
    [
      'qwen3 without its Q norm',
      (c) => {
        c.metadata.set('general.architecture', gguf.string('qwen3'));
        for (const [k, v] of [...c.metadata])
          if (k.startsWith('llama.')) c.metadata.set(k.replace('llama.', 'qwen3.'), v);
      },
      /tensor blk\.0\.attn_q_norm\.weight is missing/,
    ],
    [
      'a Q norm on llama',
      (c) =>
        c.tensors.push({
          name: 'blk.0.attn_q_norm.weight',
          dims: [16],
          type: 'F32',
          data: new Uint8Array(64),
        }),
      /tensor blk\.0\.attn_q_norm\.weight is present but llama has no Q\/K norms \(qwen3 has\)/,
    ],
    [
      'value heads of another size than key heads',
      (c) => c.metadata.set('llama.attention.value_length', gguf.u32(8)),
      /llama\.attention\.value_length is 8 but llama\.attention\.key_length is 16; only equal key and value head sizes are supported/,
    ],
    [
      'a tensor of the wrong shape',
      (c) => {
        const i = c.tensors.findIndex((t) => t.name === 'blk.1.attn_k.weight');
        c.tensors[i] = { ...c.tensors[i]!, dims: [32, 64] };
      },
      /tensor blk\.1\.attn_k\.weight has shape \[64, 32\], expected \[32, 64\]/,
    ],
    [
      'a 3-D weight',
      (c) => {
        const i = c.tensors.findIndex((t) => t.name === 'blk.0.attn_q.weight');
        c.tensors[i] = { ...c.tensors[i]!, dims: [64, 32, 2] };
      },
      /tensor blk\.0\.attn_q\.weight has dims \[64, 32, 2\], expected a matrix or a vector/,
    ],
    [
      'a missing layer tensor',
      (c) => {
        c.tensors = c.tensors.filter((t) => t.name !== 'blk.1.ffn_up.weight');
      },
      /tensor blk\.1\.ffn_up\.weight is missing/,
    ],
  ];
  test.each(cases)('%s', (_what, edit, message) => {
    expect(() => loadModel(edited(edit))).toThrow(message);
  });
});
