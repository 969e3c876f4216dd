/**
 * What both engines run, and the one formula each figure comes from.
 * Prompts are token ids (BOS, then seeded random ordinary tokens), fresh for
 * every batch so no prefix cache ever hits; output lengths are fixed (greedy,
 * EOS ignored).
 * @module
 */
import type { BatchRun, BatchTiming } from './protocol.ts';

/** Sizes of one benchmark run. */
export interface WorkloadSizes {
  /** Concurrent sequences of the decode rows. */
  readonly concurrency: readonly number[];
  /** Prompt tokens of each decode sequence. */
  readonly decodePromptLen: number;
  /** Tokens each decode sequence generates. */
  readonly genLen: number;
  /** Prefill rows: this many sequences of `prefillPromptLen` tokens, one token generated. */
  readonly prefillSeqs: number;
  readonly prefillPromptLen: number;
  /** Timed prefill batches (the median is reported). */
  readonly prefillReps: number;
}

/** One row's batches: warm-ups (compiling pipelines, filling caches) run first and are not reported. */
export interface RowPlan {
  readonly label: string;
  readonly kind: 'decode' | 'prefill';
  readonly sequences: number;
  readonly warmup: readonly BatchRun[];
  readonly timed: readonly BatchRun[];
}

const BOS = 1;
/** Ids below this are specials and byte tokens in both stories260K's and the synthetic vocabularies. */
const FIRST_ORDINARY = 259;

/** The rows of one model, in the order both engines run them. */
export function planRows(sizes: WorkloadSizes, vocabSize: number): RowPlan[] {
  let seed = 0;
  const batch = (n: number, promptLen: number, maxTokens: number): BatchRun => ({
    prompts: Array.from({ length: n }, () => randomPrompt(++seed, promptLen, vocabSize)),
    maxTokens,
  });
  const rows: RowPlan[] = sizes.concurrency.map((n) => ({
    label: `decode @${n}`,
    kind: 'decode',
    sequences: n,
    warmup: [batch(n, sizes.decodePromptLen, 4)],
    timed: [batch(n, sizes.decodePromptLen, sizes.genLen)],
  }));
  const { prefillSeqs: n, prefillPromptLen: len } = sizes;
  rows.push({
    label: `prefill ${n}×${len}`,
    kind: 'prefill',
    sequences: n,
    warmup: [batch(n, len, 1)],
    timed: Array.from({ length: sizes.prefillReps }, () => batch(n, len, 1)),
  });
  return rows;
}

/** A row's figures: throughput, and CPU time per token (every thread of the engine's process). */
export interface RowFigures {
  readonly tokensPerSecond: number;
  readonly cpuMsPerToken: number;
}

/**
 * Decode: tokens after each sequence's first, over the time (and CPU time)
 * from the last first token to the end. Prefill: prompt tokens over the time
 * until every sequence has its first token, the median of the timed batches.
 */
export function rowFigures(row: RowPlan, timings: readonly BatchTiming[]): RowFigures {
  if (row.kind === 'decode') {
    const t = timings[0]!;
    const start = Math.max(...t.firstTokenMs);
    const tokens = t.tokens.reduce((sum, seq) => sum + seq.length - 1, 0);
    return {
      tokensPerSecond: tokens / ((t.lastTokenMs - start) / 1000),
      cpuMsPerToken: t.decodeCpuMs / tokens,
    };
  }
  const promptTokens = (run: BatchRun) => run.prompts.reduce((sum, p) => sum + p.length, 0);
  const rates = row.timed.map((run, i) => promptTokens(run) / (Math.max(...timings[i]!.firstTokenMs) / 1000));
  const cpuMs = timings.reduce((sum, t) => sum + t.cpuMs, 0);
  return {
    tokensPerSecond: rates.sort((a, b) => a - b)[rates.length >> 1]!,
    cpuMsPerToken: cpuMs / row.timed.reduce((sum, run) => sum + promptTokens(run), 0),
  };
}

/** BOS then `len − 1` ordinary tokens from a mulberry32 stream. */
function randomPrompt(seed: number, len: number, vocabSize: number): number[] {
  let s = seed * 0x9e3779b9;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const span = vocabSize - FIRST_ORDINARY;
  return [BOS, ...Array.from({ length: len - 1 }, () => FIRST_ORDINARY + Math.floor(next() * span))];
}
