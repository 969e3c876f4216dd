/**
 * One entry point for model files: GGUF or llama2.c checkpoint, told apart by
 * the GGUF magic.
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { GGUF_MAGIC } from './gguf-format.js';
import type { GgufMetadata } from './gguf-metadata.js';
import { loadGgufModel, readGgufConfig } from './gguf-model.js';
import { loadLlama2c, readLlama2cConfig } from './llama2c.js';
import type { ModelConfig } from './model-config.js';
import type { ModelWeights } from './model-weights.js';

/** A model ready for the runner: shape, weights in GPU layouts, and what the tokenizer needs from the file. */
export interface LoadedModel {
  readonly format: 'gguf' | 'llama2c';
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  /** The GGUF metadata (tokenizer, chat template…); undefined for llama2.c, whose tokenizer is a separate file. */
  readonly metadata: GgufMetadata | undefined;
  /** `tokenizer.ggml.bos_token_id` (llama2.c: 1); undefined when the file does not say. */
  readonly bosTokenId: number | undefined;
  /** `tokenizer.ggml.eos_token_id` (llama2.c: 2); undefined when the file does not say. */
  readonly eosTokenId: number | undefined;
}

/**
 * Loads a GGUF file or, when the file does not start with the GGUF magic, a
 * llama2.c checkpoint (whose errors then also say the file is not GGUF).
 */
export function loadModel(path: string): LoadedModel {
  return byFormat(path, loadGgufModel, loadLlama2c);
}

/** A model file's shape, read from its header without loading any weight (errors as {@link loadModel}'s). */
export function readModelConfig(path: string): ModelConfig {
  return byFormat(path, readGgufConfig, readLlama2cConfig);
}

/** `gguf(path)` for a file with the GGUF magic, else `llama2c(path)`. */
function byFormat<T>(path: string, gguf: (path: string) => T, llama2c: (path: string) => T): T {
  const fd = openSync(path, 'r');
  const head = new Uint8Array(4);
  let got: number;
  try {
    got = readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const isGguf = got === 4 && new DataView(head.buffer).getUint32(0, true) === GGUF_MAGIC;
  if (isGguf) return gguf(path);
  try {
    return llama2c(path);
  } catch (e) {
    throw new Error(
      `not a GGUF file (no "GGUF" magic), nor a valid llama2.c checkpoint: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
