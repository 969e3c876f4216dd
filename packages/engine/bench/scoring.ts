/**
 * Scoring agreement with llama.cpp: the log-probability each engine gives
 * every token of one sequence after those before it (our prompt
 * log-probabilities; llama.cpp's raw logits), and the perplexities they imply.
 * stories260K scores the story text of the golden runs; the random-weight
 * models score seeded random tokens.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Gpu } from '@x/kernels-webgpu';
import { createEngine } from '../dist/index.js';
import type { BenchModel } from './models.ts';
import { modelPath } from '@x/test-models';

/** `length` tokens to score on `model`: text for a trained model, seeded random ids otherwise. */
export function scoringTokens(
  model: BenchModel,
  encode: (text: string) => number[],
  length: number,
): number[] {
  if (model.name === 'stories260K') {
    const golden = JSON.parse(readFileSync(modelPath('stories260K.golden.json'), 'utf8')) as {
      runs: { prompt: string; generated_text: string }[];
    };
    return encode(golden.runs.map((r) => r.prompt + r.generated_text).join(' ')).slice(0, length);
  }
  let state = 12345;
  return Array.from({ length }, () => (state = (state * 1103515245 + 12345) % 2 ** 31) % model.vocabSize);
}

/** Our log-probability of each token after those before it (from the second on), and the tokenizer's encoder. */
export async function scoreOurs(path: string, gpu: Gpu, length: number, model: BenchModel) {
  const numBlocks = Math.ceil(length / 16) + 4;
  const engine = await createEngine({
    model: path,
    gpu,
    kvCache: { numBlocks },
    maxModelLen: numBlocks * 16,
  });
  const tokens = scoringTokens(model, (text) => engine.tokenizer.encode(text), length);
  let scores: number[] = [];
  for await (const o of engine.generate(tokens, { maxTokens: 1, temperature: 0, promptLogprobs: 0 }))
    if (o.promptLogprobs) scores = o.promptLogprobs.slice(1).map((s) => s!.logprob);
  await engine.shutdown();
  return { tokens, scores };
}

/** A table row: tokens scored, both perplexities, and how far apart the per-token log-probabilities are. */
export function scoringRow(name: string, ours: readonly number[], theirs: readonly number[]): string[] {
  const ppl = (xs: readonly number[]) => Math.exp(-xs.reduce((s, x) => s + x, 0) / xs.length);
  const diffs = ours.map((x, i) => Math.abs(x - theirs[i]!));
  return [
    name,
    String(ours.length),
    ppl(ours).toFixed(4),
    ppl(theirs).toFixed(4),
    diffs.reduce((m, d) => Math.max(m, d), 0).toExponential(1),
    (diffs.reduce((s, d) => s + d, 0) / diffs.length).toExponential(1),
  ];
}

/** The table's head. */
export const SCORING_HEAD = [
  'model',
  'tokens scored',
  'perplexity (ours)',
  'perplexity (llama.cpp)',
  'max abs Δ logprob',
  'mean abs Δ logprob',
];
