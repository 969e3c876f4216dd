/**
 * Deterministic random llama models written as real GGUF v3 files, with a
 * working SentencePiece-style tokenizer and a chat template in the metadata:
 * the server's offline default and the benchmarks' model shapes.
 * @module
 */
import type { GgmlType } from './gguf-format.js';
import { gguf, type GgufEntry } from './gguf-metadata.js';
import { GGUF_TENSOR_NAMES } from './gguf-model.js';
import { writeGguf, type GgufTensorSpec } from './gguf-writer.js';
import { ARCH_TRAITS, DEFAULT_ROPE_THETA, validateConfig, type ModelConfig } from './model-config.js';
import { expectedShape, type LayerWeightKey, type ModelWeightKey } from './model-weights.js';
import { llama3RopeFactors, ROPE_FREQS_TENSOR, type Llama3RopeScaling } from './rope-scaling.js';
import { buildSyntheticVocab, SYNTHETIC_SPECIAL_IDS } from './synthetic-vocab.js';
import { encodeGgml } from './tensor-codecs.js';

/**
 * How the matrices of a synthetic model are stored (vectors are always F32, as
 * llama.cpp writes them). `q4_k_m` is a Q4_K_M-style mix: Q6_K for the
 * embedding, any `output`, attn_v and ffn_down, Q4_K for the other matrices.
 */
export type SyntheticDType = 'f32' | 'f16' | 'q8_0' | 'q4_0' | 'q4_k_m';

/** Shape, storage and seed of a synthetic llama model. */
export interface SyntheticLlamaOptions {
  readonly dim: number;
  readonly hiddenDim: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  /** At least 354 (specials, bytes and printable ASCII). */
  readonly vocabSize: number;
  readonly maxSeqLen: number;
  /**
   * q8_0 and q4_0 need every matrix's column count (dim, hiddenDim) to be a
   * multiple of 32; q4_k_m a multiple of 256.
   */
  readonly dtype: SyntheticDType;
  /** Same seed and shape, same bytes. */
  readonly seed: number;
  /** Omit the `output` tensor so the classifier reuses the embedding; default true. */
  readonly tiedEmbeddings?: boolean;
  /** `general.name`; default `random-llama`. */
  readonly name?: string;
  /** RoPE base (`rope.freq_base`); default 10000. */
  readonly ropeTheta?: number;
  /** Llama 3 RoPE scaling: writes `rope_freqs.weight` as llama.cpp's converter computes it. */
  readonly llama3Rope?: Llama3RopeScaling;
  /** `qwen3` adds per-head Q/K norms and NeoX RoPE; default `llama`. */
  readonly arch?: 'llama' | 'qwen3';
  /** Head size, written as `attention.key_length`/`value_length`; default `dim / nHeads`. */
  readonly headDim?: number;
}

/** Names of the built-in synthetic shapes. */
export type SyntheticPresetName = 'tiny-random-llama' | 'random-llama-15m' | 'random-llama-110m';

/**
 * Built-in shapes. `tiny-random-llama` is the server's offline default
 * (stories260K-like; hidden 192 = llama's 8/3·dim rounded up to 32, so every
 * dtype works); the other two are llama2.c's stories15M and stories110M
 * shapes (15.2M and 109.5M parameters with their 32000-token vocabularies).
 */
export const SYNTHETIC_PRESETS: Readonly<Record<SyntheticPresetName, SyntheticLlamaOptions>> = {
  'tiny-random-llama': {
    name: 'tiny-random-llama',
    dim: 64,
    hiddenDim: 192,
    nLayers: 4,
    nHeads: 8,
    nKvHeads: 4,
    vocabSize: 512,
    maxSeqLen: 2048,
    dtype: 'f32',
    seed: 1,
  },
  'random-llama-15m': {
    name: 'random-llama-15m',
    dim: 288,
    hiddenDim: 768,
    nLayers: 6,
    nHeads: 6,
    nKvHeads: 6,
    vocabSize: 32000,
    maxSeqLen: 256,
    dtype: 'f32',
    seed: 15,
  },
  'random-llama-110m': {
    name: 'random-llama-110m',
    dim: 768,
    hiddenDim: 2048,
    nLayers: 12,
    nHeads: 12,
    nKvHeads: 12,
    vocabSize: 32000,
    maxSeqLen: 1024,
    dtype: 'f32',
    seed: 110,
  },
};

/** A preset with some options replaced (e.g. `{ dtype: 'q8_0' }`). */
export function syntheticPreset(
  name: SyntheticPresetName,
  overrides: Partial<SyntheticLlamaOptions> = {},
): SyntheticLlamaOptions {
  return { ...SYNTHETIC_PRESETS[name], ...overrides };
}

/**
 * A plain role-prefixed chat format, since the vocabulary has no chat tokens.
 * It leaves BOS out: the tokenizer adds it (`add_bos_token`).
 */
export const SYNTHETIC_CHAT_TEMPLATE =
  "{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}\n\n" +
  "{% elif message['role'] == 'user' %}User: {{ message['content'] }}\n" +
  "{% else %}Assistant: {{ message['content'] }}{{ eos_token }}\n{% endif %}{% endfor %}" +
  '{% if add_generation_prompt %}Assistant:{% endif %}';

// llama_ftype
const FILE_TYPE: Readonly<Record<SyntheticDType, number>> = { f32: 0, f16: 1, q4_0: 2, q8_0: 7, q4_k_m: 15 };
const GGML_TYPE: Readonly<Record<SyntheticDType, GgmlType>> = {
  f32: 'F32',
  f16: 'F16',
  q8_0: 'Q8_0',
  q4_0: 'Q4_0',
  q4_k_m: 'Q4_K',
};
/** The matrices a `q4_k_m` model stores in Q6_K (llama.cpp gives them more bits). */
const Q6_K_ROLES: ReadonlySet<string> = new Set(['tokenEmbedding', 'output', 'wv', 'wDown']);

/** The GGML type of a tensor of role `key` and `rows` rows in a model of `dtype`. */
function tensorType(dtype: SyntheticDType, key: string, rows: number): GgmlType {
  if (rows === 1) return 'F32';
  return dtype === 'q4_k_m' && Q6_K_ROLES.has(key) ? 'Q6_K' : GGML_TYPE[dtype];
}
const NORMS: ReadonlySet<string> = new Set(['attnNorm', 'ffnNorm', 'outputNorm', 'qNorm', 'kNorm']);

/** The {@link ModelConfig} a synthetic model loads as. */
export function syntheticConfig(o: SyntheticLlamaOptions): ModelConfig {
  const ropeTheta = Math.fround(o.ropeTheta ?? DEFAULT_ROPE_THETA); // stored as f32
  const arch = o.arch ?? 'llama';
  const headDim = o.headDim ?? o.dim / o.nHeads;
  const factors = o.llama3Rope && llama3RopeFactors(ropeTheta, headDim, o.llama3Rope).map(Math.fround);
  const config: ModelConfig = {
    ...ARCH_TRAITS[arch],
    arch,
    dim: o.dim,
    hiddenDim: o.hiddenDim,
    nLayers: o.nLayers,
    nHeads: o.nHeads,
    nKvHeads: o.nKvHeads,
    headDim,
    vocabSize: o.vocabSize,
    maxSeqLen: o.maxSeqLen,
    normEps: Math.fround(1e-5), // what the f32 metadata value reads back as
    ropeTheta,
    ...(factors && { ropeFreqFactors: factors }),
    tiedEmbeddings: o.tiedEmbeddings ?? true,
  };
  validateConfig(config, `synthetic model ${o.name ?? ''}`.trim());
  return config;
}

/** Every tensor in llama.cpp's file order: GGUF name, role and `[rows, cols]`. */
function tensorPlan(
  c: ModelConfig,
): { name: string; key: LayerWeightKey | ModelWeightKey; shape: [number, number] }[] {
  const layerKeys: LayerWeightKey[] = [
    'attnNorm',
    'wq',
    'wk',
    'wv',
    'wo',
    ...(c.qkNorm ? (['qNorm', 'kNorm'] as const) : []),
    'ffnNorm',
    'wGate',
    'wDown',
    'wUp',
  ];
  const at = (key: LayerWeightKey | ModelWeightKey, prefix = '') => ({
    name: prefix + GGUF_TENSOR_NAMES[key],
    key,
    shape: expectedShape(c, key),
  });
  return [
    at('tokenEmbedding'),
    ...Array.from({ length: c.nLayers }, (_, i) => layerKeys.map((k) => at(k, `blk.${i}.`))).flat(),
    at('outputNorm'),
    ...(c.tiedEmbeddings ? [] : [at('output')]),
  ];
}

/** Parameters (weights) of a synthetic model of this shape. */
export function syntheticParameterCount(o: SyntheticLlamaOptions): number {
  return tensorPlan(syntheticConfig(o)).reduce((n, t) => n + t.shape[0] * t.shape[1], 0);
}

/**
 * Writes a synthetic llama model to `path` as GGUF v3, one tensor at a time.
 * Weights are uniform with standard deviation 1/sqrt(fan_in) (for the
 * embedding 1/sqrt(dim), so tied logits stay O(1)); norm weights are 1 ± 0.1.
 * Each tensor has its own PRNG stream from (seed, name).
 */
export function writeSyntheticLlamaGguf(path: string, options: SyntheticLlamaOptions): void {
  const config = syntheticConfig(options);
  const vocab = buildSyntheticVocab(options.vocabSize);
  const arch = config.arch;
  const u32 = (k: string, v: number): [string, GgufEntry] => [`${arch}.${k}`, gguf.u32(v)];
  const metadata = new Map<string, GgufEntry>([
    ['general.architecture', gguf.string(arch)],
    ['general.name', gguf.string(options.name ?? 'random-llama')],
    ['general.alignment', gguf.u32(32)],
    ['general.file_type', gguf.u32(FILE_TYPE[options.dtype])],
    u32('vocab_size', config.vocabSize),
    u32('context_length', config.maxSeqLen),
    u32('embedding_length', config.dim),
    u32('block_count', config.nLayers),
    u32('feed_forward_length', config.hiddenDim),
    u32('rope.dimension_count', config.headDim),
    u32('attention.head_count', config.nHeads),
    u32('attention.head_count_kv', config.nKvHeads),
    // Only when heads are not dim / nHeads wide, so the default shapes keep their bytes.
    ...(config.headDim * config.nHeads === config.dim
      ? []
      : [u32('attention.key_length', config.headDim), u32('attention.value_length', config.headDim)]),
    [`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(config.normEps)],
    [`${arch}.rope.freq_base`, gguf.f32(config.ropeTheta)],
    ['tokenizer.ggml.model', gguf.string('llama')],
    ['tokenizer.ggml.tokens', gguf.array('string', vocab.tokens)],
    ['tokenizer.ggml.scores', gguf.array('f32', vocab.scores)],
    ['tokenizer.ggml.token_type', gguf.array('i32', vocab.types)],
    ['tokenizer.ggml.unknown_token_id', gguf.u32(SYNTHETIC_SPECIAL_IDS.unk)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(SYNTHETIC_SPECIAL_IDS.bos)],
    ['tokenizer.ggml.eos_token_id', gguf.u32(SYNTHETIC_SPECIAL_IDS.eos)],
    ['tokenizer.ggml.add_bos_token', gguf.bool(true)],
    ['tokenizer.ggml.add_eos_token', gguf.bool(false)],
    ['tokenizer.ggml.add_space_prefix', gguf.bool(true)],
    ['tokenizer.chat_template', gguf.string(SYNTHETIC_CHAT_TEMPLATE)],
  ]);
  const ropeFreqs: GgufTensorSpec[] = config.ropeFreqFactors
    ? [
        {
          name: ROPE_FREQS_TENSOR,
          dims: [config.headDim / 2],
          type: 'F32',
          data: encodeGgml('F32', Float32Array.from(config.ropeFreqFactors)),
        },
      ]
    : [];
  const tensors = tensorPlan(config).map(({ name, key, shape: [rows, cols] }): GgufTensorSpec => {
    const isVector = rows === 1;
    const type = tensorType(options.dtype, key, rows);
    // Uniform on center ± halfWidth; sqrt(3/cols) gives a standard deviation of 1/sqrt(fan_in).
    const [center, halfWidth] = NORMS.has(key) ? [1, 0.1] : [0, Math.sqrt(3 / cols)];
    return {
      name,
      dims: isVector ? [cols] : [cols, rows],
      type,
      data: () => {
        const next = prng(options.seed, name);
        const values = new Float32Array(rows * cols);
        for (let i = 0; i < values.length; i++) values[i] = center + (next() * 2 - 1) * halfWidth;
        return encodeGgml(type, values);
      },
    };
  });
  writeGguf(path, metadata, [...ropeFreqs, ...tensors]);
}

/** mulberry32 seeded from `seed` and an FNV-1a hash of `stream`: floats in [0, 1). */
function prng(seed: number, stream: string): () => number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  let s = h >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
