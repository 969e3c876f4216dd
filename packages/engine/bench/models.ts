/**
 * The benchmark's model files: stories260K from `@x/test-models` and
 * synthetic llama GGUFs of llama2.c's stories15M and stories110M shapes,
 * written once into a cache folder and reused by later runs.
 * @module
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  syntheticParameterCount,
  syntheticPreset,
  writeSyntheticLlamaGguf,
  type SyntheticDType,
  type SyntheticPresetName,
} from '../dist/index.js';
import { modelPath } from '@x/test-models';

/** A model the benchmark runs, with what the table says about it. */
export interface BenchModel {
  readonly name: string;
  readonly path: string;
  /** Storage of the matrices, as in the file. */
  readonly dtype: string;
  readonly parameters: number;
  readonly vocabSize: number;
}

/** Where synthetic models are cached: under this package's `node_modules/.cache`, which git ignores. */
const CACHE_DIR = fileURLToPath(new URL('../node_modules/.cache/x-llm-bench/', import.meta.url));

/**
 * Synthetic matrices are q8_0: llama.cpp's native 8-bit format, which both
 * engines load (this engine dequantizes it inside its GEMV/GEMM kernels).
 */
export const SYNTHETIC_DTYPE: SyntheticDType = 'q8_0';

/** stories260K (all F32), as the tests use it. */
export function stories260K(): BenchModel {
  const path = modelPath('stories260K.gguf');
  return { name: 'stories260K', path, dtype: 'f32', parameters: 260_032, vocabSize: 512 };
}

/** A synthetic preset in {@link SYNTHETIC_DTYPE}, written to the cache the first time it is asked for. */
export function syntheticModel(preset: SyntheticPresetName): BenchModel {
  const options = syntheticPreset(preset, { dtype: SYNTHETIC_DTYPE });
  const path = `${CACHE_DIR}${preset}-${SYNTHETIC_DTYPE}-seed${options.seed}.gguf`;
  if (!existsSync(path)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const t0 = performance.now();
    writeSyntheticLlamaGguf(`${path}.partial`, options);
    renameSync(`${path}.partial`, path);
    console.error(
      `wrote ${preset} (${SYNTHETIC_DTYPE}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const parameters = syntheticParameterCount(options);
  return { name: preset, path, dtype: SYNTHETIC_DTYPE, parameters, vocabSize: options.vocabSize };
}
