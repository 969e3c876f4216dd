/**
 * llama2.c's legacy checkpoint (`run.c`'s format): a 7-int32 header, then
 * float32 arrays in a fixed order, each read straight into its own buffer.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LoadedModel } from './load-model.js';
import { DEFAULT_ROPE_THETA, validateConfig, type ModelConfig } from './model-config.js';
import { assembleWeights, expectedShape, type LayerWeightKey, type ModelWeightKey } from './model-weights.js';

const HEADER_BYTES = 7 * 4;
// llama2.c's export.py "version 1+" files start with this magic; run.c reads only the legacy format.
const AK42_MAGIC = 0x616b3432;

/** One float32 array of the checkpoint: its role (if the model uses it) and its floats per layer (or in all). */
interface Section {
  readonly name: string;
  readonly key: LayerWeightKey | ModelWeightKey | undefined;
  readonly perLayer: boolean;
  readonly floats: number;
}

/** The arrays in file order (llama2.c's `memory_map_weights`). */
function sections(c: ModelConfig, sharedClassifier: boolean): Section[] {
  const kvDim = c.nKvHeads * c.headDim;
  const s = (name: string, key: Section['key'], perLayer: boolean, floats: number): Section => ({
    name,
    key,
    perLayer,
    floats,
  });
  return [
    s('token_embedding_table', 'tokenEmbedding', false, c.vocabSize * c.dim),
    s('rms_att_weight', 'attnNorm', true, c.dim),
    s('wq', 'wq', true, c.dim * c.dim),
    s('wk', 'wk', true, kvDim * c.dim),
    s('wv', 'wv', true, kvDim * c.dim),
    s('wo', 'wo', true, c.dim * c.dim),
    s('rms_ffn_weight', 'ffnNorm', true, c.dim),
    s('w1', 'wGate', true, c.hiddenDim * c.dim),
    s('w2', 'wDown', true, c.dim * c.hiddenDim),
    s('w3', 'wUp', true, c.hiddenDim * c.dim),
    s('rms_final_weight', 'outputNorm', false, c.dim),
    // RoPE tables from the original export; run.c recomputes them.
    s('freq_cis_real', undefined, false, (c.maxSeqLen * c.headDim) / 2),
    s('freq_cis_imag', undefined, false, (c.maxSeqLen * c.headDim) / 2),
    ...(sharedClassifier ? [] : [s('wcls', 'output', false, c.vocabSize * c.dim)]),
  ];
}

/**
 * A llama2.c checkpoint's shape from its header alone: an f32 llama model
 * with adjacent-pair RoPE, norm eps 1e-5 and RoPE base 10000; a negative
 * vocab size in the header means the classifier `wcls` follows the other
 * arrays, otherwise it is tied to the embedding.
 */
export function readLlama2cConfig(path: string): ModelConfig {
  const fd = openSync(path, 'r');
  try {
    return readHeader(fd, path).config;
  } finally {
    closeSync(fd);
  }
}

function readHeader(fd: number, path: string): { config: ModelConfig; header: Int32Array } {
  const fileSize = fstatSync(fd).size;
  if (fileSize < HEADER_BYTES)
    throw new Error(
      `${path}: ${fileSize} bytes is too short for a llama2.c checkpoint header (${HEADER_BYTES} bytes)`,
    );
  const header = new Int32Array(7);
  readSync(fd, new Uint8Array(header.buffer), 0, HEADER_BYTES, 0);
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen] = Array.from(header) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (dim === AK42_MAGIC)
    throw new Error(
      `${path}: llama2.c export version 1+ ("ak42" magic) is not supported; export with --version 0 (legacy)`,
    );
  const config: ModelConfig = {
    arch: 'llama',
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    headDim: dim / nHeads,
    vocabSize: Math.abs(vocab),
    maxSeqLen: seqLen,
    normEps: 1e-5,
    ropeTheta: DEFAULT_ROPE_THETA,
    ropeStyle: 'adjacent',
    tiedEmbeddings: vocab > 0,
    qkvBias: false,
  };
  validateConfig(config, `${path} (header ${header.join(', ')})`);
  return { config, header };
}

/**
 * Loads a llama2.c checkpoint (its shape as {@link readLlama2cConfig} reads
 * it). The file size must match the header exactly. Its tokenizer is a
 * separate file, so `metadata` is undefined; BOS/EOS are llama2.c's 1 and 2.
 */
export function loadLlama2c(path: string): LoadedModel {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const { config, header } = readHeader(fd, path);
    const offsets = new Map<LayerWeightKey | ModelWeightKey, { offset: number; section: Section }>();
    let offset = HEADER_BYTES;
    for (const section of sections(config, config.tiedEmbeddings)) {
      if (section.key) offsets.set(section.key, { offset, section });
      offset += section.floats * (section.perLayer ? config.nLayers : 1) * 4;
    }
    if (offset !== fileSize) {
      const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen] = header;
      throw new Error(
        `${path}: file is ${fileSize} bytes but its header (dim ${dim}, hidden ${hiddenDim}, layers ${nLayers}, heads ${nHeads}/${nKvHeads}, vocab ${vocab}, seq ${seqLen}) implies ${offset}`,
      );
    }

    const weights = assembleWeights(config, path, (key, layer) => {
      const at = offsets.get(key);
      if (!at) return { name: key, tensor: undefined };
      const { section } = at;
      const bytes = new Uint8Array(section.floats * 4);
      readSync(fd, bytes, 0, bytes.length, at.offset + (layer ?? 0) * bytes.length);
      const name = layer === undefined ? section.name : `${section.name}[${layer}]`;
      return { name, tensor: { dtype: 'f32', shape: expectedShape(config, key), data: bytes } };
    });
    return { format: 'llama2c', config, weights, metadata: undefined, bosTokenId: 1, eosTokenId: 2 };
  } finally {
    closeSync(fd);
  }
}
