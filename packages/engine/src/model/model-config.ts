/**
 * The model hyperparameters the runner needs, read from GGUF metadata
 * (`general.architecture` and the `<arch>.*` keys) and checked for
 * consistency before any weight is read or any GPU work starts.
 * @module
 */
import type { GgufFile } from './gguf-reader.js';
import { ropeFreqFactorsFromGguf } from './rope-scaling.js';

/** Architectures the forward pass implements. Mistral-style checkpoints are `llama`. */
export type ModelArch = 'llama' | 'qwen2' | 'qwen3';

/** Hyperparameters of a llama-family decoder, shared by every loader and the runner. */
export interface ModelConfig {
  readonly arch: ModelArch;
  /** Embedding (residual stream) width. */
  readonly dim: number;
  /** Feed-forward (SwiGLU) width. */
  readonly hiddenDim: number;
  readonly nLayers: number;
  /** Query heads. */
  readonly nHeads: number;
  /** Key/value heads: fewer than `nHeads` for grouped-query attention (`nHeads / nKvHeads` queries share one). */
  readonly nKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  /** Training context length; positions beyond it are not meaningful. */
  readonly maxSeqLen: number;
  /** RMSNorm epsilon. */
  readonly normEps: number;
  /** RoPE frequency base. */
  readonly ropeTheta: number;
  /** `adjacent`: RoPE rotates (x[2i], x[2i+1]) (llama.cpp "normal"); `neox`: (x[i], x[i + headDim/2]). */
  readonly ropeStyle: 'adjacent' | 'neox';
  /**
   * Divisor of each RoPE pair's frequency (`headDim / 2` values): Llama 3's
   * `rope_freqs.weight` times any linear scaling factor. Absent: no scaling.
   */
  readonly ropeFreqFactors?: readonly number[];
  /** The classifier reuses the token embedding (no separate `output` tensor in the file). */
  readonly tiedEmbeddings: boolean;
  /** Q, K and V projections have biases (qwen2). */
  readonly qkvBias: boolean;
  /** Each Q and K head is RMSNormed (own `headDim` weights per layer) before RoPE (qwen3). */
  readonly qkNorm?: boolean;
}

/** What each architecture fixes about the graph. */
export const ARCH_TRAITS: Readonly<Record<ModelArch, Pick<ModelConfig, 'ropeStyle' | 'qkvBias' | 'qkNorm'>>> =
  {
    // llama.cpp's converter permutes HF llama Q/K so GGUF llama uses adjacent pairs.
    llama: { ropeStyle: 'adjacent', qkvBias: false },
    qwen2: { ropeStyle: 'neox', qkvBias: true },
    qwen3: { ropeStyle: 'neox', qkvBias: false, qkNorm: true },
  };

/** Default RoPE base when `<arch>.rope.freq_base` is absent (llama's). */
export const DEFAULT_ROPE_THETA = 10000;

/**
 * Reads the {@link ModelConfig} of a GGUF model. Throws naming the file and
 * key for an unsupported architecture, missing or mistyped keys, and
 * inconsistent values (e.g. head counts that do not divide, partial RoPE).
 */
export function configFromGguf(file: GgufFile): ModelConfig {
  const md = file.metadata;
  const archName = md.getString('general.architecture');
  if (!Object.hasOwn(ARCH_TRAITS, archName))
    throw new Error(
      `${file.path}: unsupported architecture ${archName} (supported: ${Object.keys(ARCH_TRAITS).join(', ')})`,
    );
  const arch = archName as ModelArch;
  const key = (k: string) => `${arch}.${k}`;
  const dim = md.getNumber(key('embedding_length'));
  const nHeads = md.getNumber(key('attention.head_count'));
  const headDim = md.numberOr(key('attention.key_length'), dim / nHeads);
  const valueDim = md.numberOr(key('attention.value_length'), headDim);
  if (valueDim !== headDim)
    throw new Error(
      `${file.path}: ${key('attention.value_length')} is ${valueDim} but ${key('attention.key_length')} is ${headDim}; only equal key and value head sizes are supported`,
    );
  const ropeDims = md.numberOr(key('rope.dimension_count'), headDim);
  if (ropeDims !== headDim)
    throw new Error(
      `${file.path}: ${key('rope.dimension_count')} is ${ropeDims} but heads are ${headDim} wide; partial RoPE is not supported`,
    );
  const ropeFreqFactors = ropeFreqFactorsFromGguf(file, arch, headDim);
  const vocabSize =
    md.optionalNumber(key('vocab_size')) ??
    (md.has('tokenizer.ggml.tokens') ? md.getArray('tokenizer.ggml.tokens').length : undefined) ??
    file.findTensor('token_embd.weight')?.dims[1];
  if (vocabSize === undefined)
    throw new Error(
      `${file.path}: no vocabulary size (${key('vocab_size')}, tokenizer.ggml.tokens and token_embd.weight are all missing)`,
    );
  const config: ModelConfig = {
    arch,
    dim,
    hiddenDim: md.getNumber(key('feed_forward_length')),
    nLayers: md.getNumber(key('block_count')),
    nHeads,
    nKvHeads: md.numberOr(key('attention.head_count_kv'), nHeads),
    headDim,
    vocabSize,
    maxSeqLen: md.getNumber(key('context_length')),
    normEps: md.getNumber(key('attention.layer_norm_rms_epsilon')),
    ropeTheta: md.numberOr(key('rope.freq_base'), DEFAULT_ROPE_THETA),
    ropeStyle: ARCH_TRAITS[arch].ropeStyle,
    ...(ropeFreqFactors && { ropeFreqFactors }),
    tiedEmbeddings: !file.findTensor('output.weight'),
    qkvBias: ARCH_TRAITS[arch].qkvBias || !!file.findTensor('blk.0.attn_q.bias'),
    ...(ARCH_TRAITS[arch].qkNorm && { qkNorm: true }),
  };
  validateConfig(config, file.path);
  return config;
}

/** Throws naming `source` when `config` is not a usable model shape. */
export function validateConfig(config: ModelConfig, source: string): void {
  const ints: (keyof ModelConfig)[] = [
    'dim',
    'hiddenDim',
    'nLayers',
    'nHeads',
    'nKvHeads',
    'headDim',
    'vocabSize',
    'maxSeqLen',
  ];
  for (const k of ints) {
    const v = config[k] as number;
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`${source}: ${k} is ${v}, expected a positive integer`);
  }
  if (config.nHeads % config.nKvHeads !== 0)
    throw new Error(
      `${source}: ${config.nHeads} query heads cannot be shared evenly by ${config.nKvHeads} KV heads`,
    );
  if (config.headDim % 2 !== 0)
    throw new Error(`${source}: head size ${config.headDim} must be even for RoPE`);
  if (!(config.normEps > 0)) throw new Error(`${source}: RMSNorm epsilon is ${config.normEps}, expected > 0`);
  if (!(config.ropeTheta > 0)) throw new Error(`${source}: RoPE base is ${config.ropeTheta}, expected > 0`);
  const factors = config.ropeFreqFactors;
  if (factors && (factors.length !== config.headDim / 2 || !factors.every((f) => f > 0 && f < Infinity)))
    throw new Error(`${source}: RoPE frequency factors must be ${config.headDim / 2} positive finite values`);
}
