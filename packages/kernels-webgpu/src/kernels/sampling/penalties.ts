/**
 * Presence, frequency and repetition penalties and logit bias, applied in
 * place to the logits rows about to be sampled. Sparse: a row carries one
 * entry per token it mentions (prompt, output or bias), so the cost follows
 * the tokens a request has seen, not the vocabulary. See `penalties.wgsl`.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../../context.js';
import type { GpuTensor } from '../../tensor.js';
import { grid2d } from '../grid.js';
import { SamplingRowError } from './params.js';

/** What one row's logits are adjusted by; absent fields change nothing. vLLM's semantics. */
export interface LogitPenalties {
  /** Subtracted once from the logit of every token the output holds (OpenAI's `presence_penalty`). */
  readonly presencePenalty?: number;
  /** Subtracted per occurrence in the output (`frequency_penalty`). */
  readonly frequencyPenalty?: number;
  /**
   * In [{@link MIN_REPETITION_PENALTY}, {@link MAX_REPETITION_PENALTY}]; divides positive and
   * multiplies negative logits of tokens in the prompt or output (1 = off).
   */
  readonly repetitionPenalty?: number;
  /** Token id → occurrences in the output so far. */
  readonly outputCounts?: ReadonlyMap<number, number>;
  /** Distinct prompt token ids (read for the repetition penalty only). */
  readonly promptTokens?: ReadonlySet<number>;
  /** Token id → value added to its logit, before the penalties. */
  readonly logitBias?: ReadonlyMap<number, number>;
}

/** Words per row: presence f32, frequency f32, repetition f32, first entry u32, entry count u32. */
export const PENALTY_ROW_WORDS = 5;
/** Words per entry: token u32, output count u32, in prompt u32, bias f32. */
export const PENALTY_ENTRY_WORDS = 4;
/**
 * Range of the repetition penalty. The sampler takes finite logits only; within these bounds a
 * logit divided or multiplied by the penalty stays finite in f32 unless it was already beyond 1e32.
 */
export const MIN_REPETITION_PENALTY = 1e-6;
export const MAX_REPETITION_PENALTY = 1e6;

/** True when `p` would change some logit. */
export function hasPenalties(p: LogitPenalties | undefined): boolean {
  if (!p) return false;
  const counted = (p.outputCounts?.size ?? 0) > 0;
  return (
    (counted && ((p.presencePenalty ?? 0) !== 0 || (p.frequencyPenalty ?? 0) !== 0)) ||
    ((p.repetitionPenalty ?? 1) !== 1 && (counted || (p.promptTokens?.size ?? 0) > 0)) ||
    (p.logitBias?.size ?? 0) > 0
  );
}

/** Rows and entries in the kernel's layouts. */
export interface PackedPenalties {
  /** u32 words, [numRows, {@link PENALTY_ROW_WORDS}]. */
  readonly rows: Uint32Array;
  /** u32 words, [numEntries, {@link PENALTY_ENTRY_WORDS}] (at least one entry, unused when none). */
  readonly entries: Uint32Array;
}

/**
 * Packs one {@link LogitPenalties} per row (undefined: untouched). Throws a {@link SamplingRowError}
 * on a token outside `vocab`, a value that is not a finite f32, or a repetition penalty out of range.
 */
export function packPenalties(rows: readonly (LogitPenalties | undefined)[], vocab: number): PackedPenalties {
  const list: { token: number; count: number; inPrompt: boolean; bias: number }[] = [];
  const rowWords = new Uint32Array(rows.length * PENALTY_ROW_WORDS);
  const rowFloats = new Float32Array(rowWords.buffer);
  rows.forEach((p, r) => {
    const first = list.length;
    if (p) checkRow(p, r);
    if (hasPenalties(p)) {
      const at = new Map<number, number>();
      const entry = (token: number) => {
        if (!(Number.isInteger(token) && token >= 0 && token < vocab))
          throw new SamplingRowError(r, `penalties row ${r}: token ${token} outside [0, ${vocab})`);
        let i = at.get(token);
        if (i === undefined) {
          at.set(token, (i = list.length));
          list.push({ token, count: 0, inPrompt: false, bias: 0 });
        }
        return list[i]!;
      };
      for (const [token, bias] of p!.logitBias ?? []) entry(token).bias = bias;
      for (const [token, count] of p!.outputCounts ?? []) entry(token).count = count;
      if ((p!.repetitionPenalty ?? 1) !== 1)
        for (const token of p!.promptTokens ?? []) entry(token).inPrompt = true;
    }
    const w = r * PENALTY_ROW_WORDS;
    rowFloats[w] = p?.presencePenalty ?? 0;
    rowFloats[w + 1] = p?.frequencyPenalty ?? 0;
    rowFloats[w + 2] = p?.repetitionPenalty ?? 1;
    rowWords[w + 3] = first;
    rowWords[w + 4] = list.length - first;
  });
  const entries = new Uint32Array(Math.max(1, list.length) * PENALTY_ENTRY_WORDS);
  const entryFloats = new Float32Array(entries.buffer);
  list.forEach((e, i) => {
    const w = i * PENALTY_ENTRY_WORDS;
    entries[w] = e.token;
    entries[w + 1] = e.count;
    entries[w + 2] = e.inPrompt ? 1 : 0;
    entryFloats[w + 3] = e.bias;
  });
  return { rows: rowWords, entries };
}

function checkRow(p: LogitPenalties, r: number): void {
  const fail = (what: string) => {
    throw new SamplingRowError(r, `penalties row ${r}: ${what}`);
  };
  const repetition = p.repetitionPenalty ?? 1;
  if (!(repetition >= MIN_REPETITION_PENALTY && repetition <= MAX_REPETITION_PENALTY))
    fail(`repetition penalty ${repetition} outside [${MIN_REPETITION_PENALTY}, ${MAX_REPETITION_PENALTY}]`);
  if (!finiteF32(p.presencePenalty ?? 0)) fail(`presence penalty ${p.presencePenalty} is not a finite f32`);
  if (!finiteF32(p.frequencyPenalty ?? 0))
    fail(`frequency penalty ${p.frequencyPenalty} is not a finite f32`);
  for (const [token, bias] of p.logitBias ?? [])
    if (!finiteF32(bias)) fail(`bias ${bias} of token ${token} is not a finite f32`);
}

const finiteF32 = (v: number) => Number.isFinite(Math.fround(v));

/** Applies packed penalties in place to f32 logits `[numRows, vocab]`. Build once per context. */
export class PenaltyKernel {
  readonly #kernel: Kernel;

  constructor(ctx: KernelContext) {
    this.#kernel = ctx.kernel('penalties', () => ({
      code: loadShader('penalties'),
      bindings: ['storage', 'read-only-storage', 'read-only-storage'],
    }));
  }

  /** Records the adjustment of `numRows` rows; `rows` and `entries` hold {@link packPenalties}' words. */
  record(
    rec: Recorder,
    logits: GpuTensor,
    rows: GpuTensor,
    entries: GpuTensor,
    numRows: number,
    vocab: number,
  ): void {
    if (logits.byteLength < numRows * vocab * 4 || rows.byteLength < numRows * PENALTY_ROW_WORDS * 4)
      throw new Error(`penalties: logits or rows hold fewer than ${numRows} rows of ${vocab}`);
    if (numRows === 0) return;
    const g = grid2d(numRows);
    const p = rec.paramsBase;
    rec.u32[p] = numRows;
    rec.u32[p + 1] = vocab;
    rec.u32[p + 2] = g.x;
    rec.dispatch(this.#kernel, [logits, rows, entries], g.x, g.y);
  }
}
