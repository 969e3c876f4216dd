/**
 * RoPE scaling as llama.cpp reads it from a GGUF file: a linear factor
 * (`rope.scaling.factor` or the older `rope.scale_linear`) and Llama 3's
 * per-pair frequency factors (`rope_freqs.weight`), both of which divide a
 * pair's frequency, plus the converter's formula for those factors.
 * @module
 */
import type { GgufFile } from './gguf-reader.js';
import { decodeGgml } from './tensor-codecs.js';

/** `rope.scaling.type` values the engine implements (`llama3` = factors from `rope_freqs.weight`). */
export const SUPPORTED_ROPE_SCALING = ['none', 'linear', 'llama3'] as const;

/** The tensor Llama 3.1+ files carry their per-pair RoPE frequency factors in. */
export const ROPE_FREQS_TENSOR = 'rope_freqs.weight';

/**
 * The per-pair divisors of the RoPE frequencies of `file` (`headDim / 2`
 * values), or undefined when it has no scaling. As llama.cpp: pair i turns by
 * `pos * base^(-2i/headDim) / (rope_freqs[i] * linearFactor)`. Throws one
 * line naming the file and key or tensor for YaRN, LongRoPE and unknown
 * types, factors on an architecture other than llama, and a malformed tensor.
 */
export function ropeFreqFactorsFromGguf(file: GgufFile, arch: string, headDim: number): number[] | undefined {
  const md = file.metadata;
  const typeKey = `${arch}.rope.scaling.type`;
  const type = md.has(typeKey) ? md.getString(typeKey) : 'none';
  if (!(SUPPORTED_ROPE_SCALING as readonly string[]).includes(type))
    throw new Error(
      `${file.path}: ${typeKey} is ${type}; supported RoPE scaling: ${SUPPORTED_ROPE_SCALING.join(', ')}`,
    );
  // llama.cpp: a factor of 0 (or none) means no linear scaling, whatever the type.
  const linear =
    md.optionalNumber(`${arch}.rope.scale_linear`) || md.optionalNumber(`${arch}.rope.scaling.factor`) || 1;
  if (!(linear > 0 && linear < Infinity))
    throw new Error(`${file.path}: ${arch}.rope.scaling.factor is ${linear}, expected > 0`);
  const info = file.findTensor(ROPE_FREQS_TENSOR);
  if (!info) {
    if (type === 'llama3')
      throw new Error(`${file.path}: ${typeKey} is llama3 but tensor ${ROPE_FREQS_TENSOR} is missing`);
    return linear === 1 ? undefined : new Array<number>(headDim / 2).fill(linear);
  }
  if (arch !== 'llama')
    throw new Error(`${file.path}: tensor ${ROPE_FREQS_TENSOR} is supported for llama only, not ${arch}`);
  if (info.dims.length !== 1 || info.dims[0] !== headDim / 2)
    throw new Error(
      `${file.path}: tensor ${ROPE_FREQS_TENSOR} has dims [${info.dims.join(', ')}], expected [${headDim / 2}] (half the head size)`,
    );
  const factors = Array.from(decodeGgml(info.type, file.readTensor(info.name)), (f) => f * linear);
  if (!factors.every((f) => f > 0 && f < Infinity))
    throw new Error(`${file.path}: tensor ${ROPE_FREQS_TENSOR} has a value that is not positive and finite`);
  return factors;
}

/** Llama 3's `rope_scaling` (HF config): `rope_type: "llama3"`. */
export interface Llama3RopeScaling {
  /** Divisor of the lowest frequencies, e.g. 8 (Llama 3.1) or 32 (Llama 3.2). */
  readonly factor: number;
  readonly lowFreqFactor: number;
  readonly highFreqFactor: number;
  /** `original_max_position_embeddings`, e.g. 8192. */
  readonly originalContextLength: number;
}

/**
 * The `rope_freqs.weight` values llama.cpp's converter writes for Llama 3
 * (`convert_hf_to_gguf.py`): 1 for wavelengths shorter than
 * `original / highFreqFactor`, `factor` for those longer than
 * `original / lowFreqFactor`, and a smooth blend between.
 */
export function llama3RopeFactors(base: number, headDim: number, s: Llama3RopeScaling): number[] {
  const lowWavelen = s.originalContextLength / s.lowFreqFactor;
  const highWavelen = s.originalContextLength / s.highFreqFactor;
  return Array.from({ length: headDim / 2 }, (_, i) => {
    const wavelen = 2 * Math.PI * base ** ((2 * i) / headDim);
    if (wavelen < highWavelen) return 1;
    if (wavelen > lowWavelen) return s.factor;
    const smooth =
      (s.originalContextLength / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return 1 / ((1 - smooth) / s.factor + smooth);
  });
}
