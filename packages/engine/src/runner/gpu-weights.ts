/**
 * Uploads a model's weights to GPU tensors, once, and frees them together.
 * @module
 */
import { uploadTensor, type Gpu, type GpuTensor } from '@x/kernels-webgpu';
import type { ModelConfig } from '../model/model-config.js';
import type { LayerWeights, ModelWeights, WeightTensor } from '../model/model-weights.js';

/** One decoder block's weights on the GPU. */
export interface GpuLayerWeights {
  readonly attnNorm: GpuTensor;
  readonly wq: GpuTensor;
  readonly wk: GpuTensor;
  readonly wv: GpuTensor;
  readonly wo: GpuTensor;
  readonly bq: GpuTensor | undefined;
  readonly bk: GpuTensor | undefined;
  readonly bv: GpuTensor | undefined;
  readonly qNorm: GpuTensor | undefined;
  readonly kNorm: GpuTensor | undefined;
  readonly ffnNorm: GpuTensor;
  readonly wGate: GpuTensor;
  readonly wUp: GpuTensor;
  readonly wDown: GpuTensor;
}

/** A model's weights on the GPU. A tied `output` is the embedding tensor itself. */
export interface GpuWeights {
  readonly tokenEmbedding: GpuTensor;
  readonly layers: readonly GpuLayerWeights[];
  readonly outputNorm: GpuTensor;
  readonly output: GpuTensor;
  /** Bytes uploaded. */
  readonly bytes: number;
  /** Frees every buffer. */
  destroy(): void;
}

/**
 * Uploads every weight. `onProgress(done, total)` reports bytes, for a
 * loading bar. The host copies can be dropped afterwards.
 */
export function uploadWeights(
  gpu: Gpu,
  config: ModelConfig,
  weights: ModelWeights,
  onProgress?: (doneBytes: number, totalBytes: number) => void,
): GpuWeights {
  const uploaded = new Map<WeightTensor, GpuTensor>();
  const total = totalBytes(weights);
  let done = 0;
  const up = (w: WeightTensor, label: string): GpuTensor => {
    let t = uploaded.get(w);
    if (!t) {
      // Norms and biases are [1, n] vectors: kernels want them flat.
      const shape = w.shape[0] === 1 ? [w.shape[1]] : [...w.shape];
      t = uploadTensor(gpu, w.dtype, shape, w.data, label);
      uploaded.set(w, t);
      done += w.data.byteLength;
      onProgress?.(done, total);
    }
    return t;
  };
  const layer = (l: LayerWeights, i: number): GpuLayerWeights => ({
    attnNorm: up(l.attnNorm, `blk.${i}.attn_norm`),
    wq: up(l.wq, `blk.${i}.attn_q`),
    wk: up(l.wk, `blk.${i}.attn_k`),
    wv: up(l.wv, `blk.${i}.attn_v`),
    wo: up(l.wo, `blk.${i}.attn_output`),
    bq: l.bq && up(l.bq, `blk.${i}.attn_q.bias`),
    bk: l.bk && up(l.bk, `blk.${i}.attn_k.bias`),
    bv: l.bv && up(l.bv, `blk.${i}.attn_v.bias`),
    qNorm: l.qNorm && up(l.qNorm, `blk.${i}.attn_q_norm`),
    kNorm: l.kNorm && up(l.kNorm, `blk.${i}.attn_k_norm`),
    ffnNorm: up(l.ffnNorm, `blk.${i}.ffn_norm`),
    wGate: up(l.wGate, `blk.${i}.ffn_gate`),
    wUp: up(l.wUp, `blk.${i}.ffn_up`),
    wDown: up(l.wDown, `blk.${i}.ffn_down`),
  });
  if (weights.layers.length !== config.nLayers) {
    throw new Error(`weights have ${weights.layers.length} layers, config says ${config.nLayers}`);
  }
  const gpuWeights = {
    tokenEmbedding: up(weights.tokenEmbedding, 'token_embd'),
    layers: weights.layers.map(layer),
    outputNorm: up(weights.outputNorm, 'output_norm'),
    output: up(weights.output, 'output'),
  };
  return {
    ...gpuWeights,
    bytes: done,
    destroy() {
      for (const t of uploaded.values()) t.buffer.destroy();
      uploaded.clear();
    },
  };
}

function totalBytes(weights: ModelWeights): number {
  const seen = new Set<WeightTensor>();
  const all = [weights.tokenEmbedding, weights.outputNorm, weights.output];
  for (const l of weights.layers) all.push(...(Object.values(l) as WeightTensor[]));
  let bytes = 0;
  for (const w of all) {
    if (w && !seen.has(w)) {
      seen.add(w);
      bytes += w.data.byteLength;
    }
  }
  return bytes;
}
