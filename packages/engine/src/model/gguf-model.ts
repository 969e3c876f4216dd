/**
 * A GGUF file to {@link ModelConfig} + {@link ModelWeights}: maps llama.cpp's
 * tensor names to weight roles and GGUF dims to `[rows, cols]`.
 * @module
 */
import { openGguf, type GgufFile, type GgufTensorInfo } from './gguf-reader.js';
import type { LoadedModel } from './load-model.js';
import { configFromGguf, type ModelConfig } from './model-config.js';
import {
  assembleWeights,
  type LayerWeightKey,
  type ModelWeightKey,
  type WeightTensor,
} from './model-weights.js';
import { decodeGgml, toGpuLayout } from './tensor-codecs.js';

/** llama.cpp's tensor name for each weight role (per-layer names are prefixed with `blk.N.`). */
export const GGUF_TENSOR_NAMES: Readonly<Record<LayerWeightKey | ModelWeightKey, string>> = {
  tokenEmbedding: 'token_embd.weight',
  outputNorm: 'output_norm.weight',
  output: 'output.weight',
  attnNorm: 'attn_norm.weight',
  wq: 'attn_q.weight',
  wk: 'attn_k.weight',
  wv: 'attn_v.weight',
  wo: 'attn_output.weight',
  bq: 'attn_q.bias',
  bk: 'attn_k.bias',
  bv: 'attn_v.bias',
  qNorm: 'attn_q_norm.weight',
  kNorm: 'attn_k_norm.weight',
  ffnNorm: 'ffn_norm.weight',
  wGate: 'ffn_gate.weight',
  wUp: 'ffn_up.weight',
  wDown: 'ffn_down.weight',
};

/** A GGUF model's shape from its header and metadata (of tensor data, only the small `rope_freqs.weight` is read). */
export function readGgufConfig(path: string): ModelConfig {
  const file = openGguf(path);
  try {
    return configFromGguf(file);
  } finally {
    file.close();
  }
}

/**
 * Loads a llama, qwen2 or qwen3 GGUF model: config first (so an unsupported
 * architecture fails before any weight is read), then every weight, read
 * once from disk and converted to the kernels' layout.
 */
export function loadGgufModel(path: string): LoadedModel {
  const file = openGguf(path);
  try {
    const config = configFromGguf(file);
    const weights = assembleWeights(config, path, (key, layer) => {
      const name = layer === undefined ? GGUF_TENSOR_NAMES[key] : `blk.${layer}.${GGUF_TENSOR_NAMES[key]}`;
      const info = file.findTensor(name);
      return { name, tensor: info && readWeight(file, info) };
    });
    const md = file.metadata;
    return {
      format: 'gguf',
      config,
      weights,
      metadata: md,
      bosTokenId: md.optionalNumber('tokenizer.ggml.bos_token_id'),
      eosTokenId: md.optionalNumber('tokenizer.ggml.eos_token_id'),
    };
  } finally {
    file.close();
  }
}

/**
 * GGUF lists dims innermost first, so a matrix stored as [ne0, ne1] has ne1
 * rows of ne0 contiguous columns: `[rows, cols] = [ne1, ne0]`; a vector [n]
 * is `[1, n]`. Vectors (norms, biases) are decoded to f32 whatever their type.
 */
function readWeight(file: GgufFile, info: GgufTensorInfo): WeightTensor {
  const [cols, rows = 1, ...rest] = info.dims;
  if (rest.some((d) => d !== 1))
    throw new Error(
      `${file.path}: tensor ${info.name} has dims [${info.dims.join(', ')}], expected a matrix or a vector`,
    );
  const raw = file.readTensor(info.name);
  const shape = [rows, cols!] as const;
  if (info.dims.length === 1 && info.type !== 'F32')
    return { dtype: 'f32', shape, data: new Uint8Array(decodeGgml(info.type, raw).buffer) };
  return { ...toGpuLayout(info.type, raw), shape };
}
