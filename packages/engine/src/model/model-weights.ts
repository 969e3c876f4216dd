/**
 * Every weight of a llama-family model by role, in the kernels' GPU layouts,
 * and the one place that checks each tensor's shape against the config.
 * @module
 */
import { byteSize } from '@x/kernels-webgpu';
import type { ModelConfig } from './model-config.js';
import type { WeightDType } from './tensor-codecs.js';

/**
 * One weight tensor, ready to upload. `shape` is `[rows, cols]`, row-major
 * `[out, in]` for matrices (a vector is `[1, n]`). `data` layout by dtype:
 * `f32` little-endian floats; `f16` raw IEEE halves; `q8_0` the GPU layout of
 * `@x/kernels-webgpu`'s `q8_0FromGguf` (all int8 quants in element order, then
 * one f16 scale per 32 elements); `q4_k`, `q5_k`, `q6_k` the K-quant GPU layout
 * of `kQuantFromGguf` (GGUF's blocks, same size, their quant bits regrouped).
 * Loaders give each tensor its own buffer at byte offset 0, except a tied
 * `output`, which is the embedding itself.
 */
export interface WeightTensor {
  readonly dtype: WeightDType;
  readonly shape: readonly [rows: number, cols: number];
  readonly data: Uint8Array;
}

/** One decoder block. Norm weights and biases are always `f32` vectors. */
export interface LayerWeights {
  readonly attnNorm: WeightTensor;
  readonly wq: WeightTensor;
  readonly wk: WeightTensor;
  readonly wv: WeightTensor;
  readonly wo: WeightTensor;
  /** Present iff `config.qkvBias`. */
  readonly bq?: WeightTensor;
  readonly bk?: WeightTensor;
  readonly bv?: WeightTensor;
  /** Per-head RMSNorm weights `[1, headDim]` of Q and K; present iff `config.qkNorm`. */
  readonly qNorm?: WeightTensor;
  readonly kNorm?: WeightTensor;
  readonly ffnNorm: WeightTensor;
  /** SwiGLU: out = wDown(silu(wGate x) * wUp x). */
  readonly wGate: WeightTensor;
  readonly wUp: WeightTensor;
  readonly wDown: WeightTensor;
}

/** All weights of a model. With tied embeddings `output` is the same object as `tokenEmbedding`. */
export interface ModelWeights {
  /** `[vocab, dim]`: row t is token t's embedding. */
  readonly tokenEmbedding: WeightTensor;
  readonly layers: readonly LayerWeights[];
  readonly outputNorm: WeightTensor;
  /** Classifier `[vocab, dim]`. */
  readonly output: WeightTensor;
}

/** A per-layer weight role. */
export type LayerWeightKey = keyof LayerWeights;
/** A whole-model weight role (`layers` aside). */
export type ModelWeightKey = Exclude<keyof ModelWeights, 'layers'>;

const BIASES: readonly LayerWeightKey[] = ['bq', 'bk', 'bv'];
const QK_NORMS: readonly LayerWeightKey[] = ['qNorm', 'kNorm'];
const LAYER_KEYS: readonly LayerWeightKey[] = [
  'attnNorm',
  'wq',
  'wk',
  'wv',
  'wo',
  ...BIASES,
  ...QK_NORMS,
  'ffnNorm',
  'wGate',
  'wUp',
  'wDown',
];

/** The `[rows, cols]` a weight must have under `config`. */
export function expectedShape(config: ModelConfig, key: LayerWeightKey | ModelWeightKey): [number, number] {
  const { dim, hiddenDim, vocabSize } = config;
  const qDim = config.nHeads * config.headDim;
  const kvDim = config.nKvHeads * config.headDim;
  const shapes: Record<LayerWeightKey | ModelWeightKey, [number, number]> = {
    tokenEmbedding: [vocabSize, dim],
    output: [vocabSize, dim],
    outputNorm: [1, dim],
    attnNorm: [1, dim],
    ffnNorm: [1, dim],
    wq: [qDim, dim],
    wk: [kvDim, dim],
    wv: [kvDim, dim],
    wo: [dim, qDim],
    bq: [1, qDim],
    bk: [1, kvDim],
    bv: [1, kvDim],
    qNorm: [1, config.headDim],
    kNorm: [1, config.headDim],
    wGate: [hiddenDim, dim],
    wUp: [hiddenDim, dim],
    wDown: [dim, hiddenDim],
  };
  return shapes[key];
}

/** What a loader has for a role: the tensor's name in its source (for errors) and the tensor, if the file has it. */
export interface TensorLookup {
  readonly name: string;
  readonly tensor: WeightTensor | undefined;
}

/**
 * Builds {@link ModelWeights} by asking `fetch` for every role (`layer` is
 * undefined for whole-model roles) and checking each answer's shape and byte
 * size. A tensor the file lacks (`tensor` undefined) is an error unless it is a bias of a model without `qkvBias`,
 * a Q/K norm of one without `qkNorm`, or the `output` of one with `tiedEmbeddings`; a bias or Q/K norm the config
 * does not use is an error too.
 */
export function assembleWeights(
  config: ModelConfig,
  source: string,
  fetch: (key: LayerWeightKey | ModelWeightKey, layer: number | undefined) => TensorLookup,
): ModelWeights {
  const get = (key: LayerWeightKey | ModelWeightKey, layer?: number): WeightTensor | undefined => {
    const { name, tensor } = fetch(key, layer);
    if (BIASES.includes(key as LayerWeightKey) && !config.qkvBias) {
      if (tensor) throw new Error(`${source}: tensor ${name} is present but the config has no Q/K/V biases`);
      return undefined;
    }
    if (QK_NORMS.includes(key as LayerWeightKey) && !config.qkNorm) {
      if (tensor)
        throw new Error(
          `${source}: tensor ${name} is present but ${config.arch} has no Q/K norms (qwen3 has)`,
        );
      return undefined;
    }
    if (!tensor) {
      if (key === 'output' && config.tiedEmbeddings) return undefined;
      throw new Error(`${source}: tensor ${name} is missing`);
    }
    checkTensor(name, tensor, expectedShape(config, key), source);
    return tensor;
  };
  const tokenEmbedding = get('tokenEmbedding')!;
  const layers = Array.from({ length: config.nLayers }, (_, i) => {
    const entries = LAYER_KEYS.map((k) => [k, get(k, i)] as const).filter(([, t]) => t !== undefined);
    return Object.fromEntries(entries) as unknown as LayerWeights;
  });
  return { tokenEmbedding, layers, outputNorm: get('outputNorm')!, output: get('output') ?? tokenEmbedding };
}

function checkTensor(name: string, tensor: WeightTensor, expected: [number, number], source: string): void {
  const [rows, cols] = tensor.shape;
  if (rows !== expected[0] || cols !== expected[1])
    throw new Error(
      `${source}: tensor ${name} has shape [${rows}, ${cols}], expected [${expected.join(', ')}]`,
    );
  const bytes = byteSize(tensor.dtype, rows * cols);
  if (tensor.data.length !== bytes)
    throw new Error(
      `${source}: tensor ${name} has ${tensor.data.length} bytes of ${tensor.dtype} data, expected ${bytes}`,
    );
}
