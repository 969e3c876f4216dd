/**
 * Scores one GGUF file with this engine (prompt log-probabilities) and with
 * llama.cpp (node-llama-cpp's prebuilt CPU backend, raw logits, in a child
 * process) on the same token ids, for agreement tests.
 */
import { benchLlamaCpp } from '../bench/llama-cpp.js';
import { createEngine } from '../src/index.js';

/** Log-probabilities of tokens 1.. from both sides, their |difference| statistics, and llama.cpp's release. */
export interface Agreement {
  readonly ours: number[];
  readonly theirs: readonly number[];
  readonly mean: number;
  readonly max: number;
  readonly llamaCppRelease: string;
}

/** `count` deterministic pseudo-random ids below `vocab` (an LCG, so every test scores the same prompt). */
export function promptIds(count: number, vocab: number): number[] {
  let state = 12345;
  return Array.from({ length: count }, () => (state = (state * 1103515245 + 12345) % 2 ** 31) % vocab);
}

/** The engine's log-probability of each of `tokens[1..]` given the ones before. */
export async function engineLogprobs(
  path: string,
  tokens: readonly number[],
  contextSize: number,
): Promise<number[]> {
  const engine = await createEngine({ model: path, kvCache: { numBlocks: 16 }, maxModelLen: contextSize });
  let ours: number[] = [];
  try {
    for await (const o of engine.generate([...tokens], { maxTokens: 1, temperature: 0, promptLogprobs: 0 }))
      if (o.promptLogprobs) ours = o.promptLogprobs.slice(1).map((s) => s!.logprob);
  } finally {
    await engine.shutdown();
  }
  return ours;
}

/** Scores `tokens` on `path` with both engines and compares them. */
export async function scoreAgainstLlamaCpp(
  path: string,
  tokens: readonly number[],
  contextSize: number,
): Promise<Agreement> {
  const ours = await engineLogprobs(path, tokens, contextSize);
  const { answer } = await benchLlamaCpp([], {
    modelPath: path,
    threads: 2,
    sequences: 1,
    contextSize,
    batchSize: tokens.length,
    score: [...tokens],
  });
  const theirs = answer.scores!;
  return { ours, theirs, ...diffStats(ours, theirs), llamaCppRelease: answer.llamaCppRelease };
}

/** Mean and max of |a[i] - b[i]|. */
export function diffStats(a: readonly number[], b: readonly number[]): { mean: number; max: number } {
  const diffs = a.map((x, i) => Math.abs(x - b[i]!));
  return { mean: diffs.reduce((s, d) => s + d, 0) / diffs.length, max: Math.max(...diffs) };
}
