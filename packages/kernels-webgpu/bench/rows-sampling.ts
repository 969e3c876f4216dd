/**
 * Benchmark rows for the sampler: vocab 32000 (llama) and 151936 (qwen), one
 * and 64 sequences; greedy (one pass), temperature only (plus the Gumbel
 * pass), top-k 50 + top-p 0.9 and top-p 0.95 alone (settled in a gathered
 * list of the top tokens). Logits are shaped like an LLM's: uniform in
 * [-4, 4] with 30 tokens raised by 12, so the nucleus is a few dozen tokens.
 * Then the penalties (presence, frequency, repetition) of rows that have seen
 * 512 distinct tokens, applied in place: compare with the sampler's rows of
 * the same shape (a penalized step adds a copy, this and a second sampler pass).
 */
import {
  createTensor,
  packPenalties,
  PenaltyKernel,
  SamplingKernel,
  SamplingParamsBuffer,
  writeTensor,
  type SamplingParams,
} from '../dist/index.js';
import { randomF32, rng } from '../dist/testing/index.js';
import type { BenchEnv, BenchRow } from './harness.ts';

const MODES: readonly [string, Omit<SamplingParams, 'seed' | 'step'>][] = [
  ['greedy', { temperature: 0 }],
  ['T=0.8', { temperature: 0.8 }],
  ['T=0.8 top-k 50 top-p 0.9', { temperature: 0.8, topK: 50, topP: 0.9 }],
  ['T=0.8 top-p 0.95', { temperature: 0.8, topP: 0.95 }],
];

/** Distinct tokens each row of the penalties row has seen (prompt and output). */
const SEEN = 512;

function peakedLogits(n: number, vocab: number): Float32Array {
  const random = rng(vocab + n);
  const x = randomF32(n * vocab, random, 4);
  for (let r = 0; r < n; r++) for (let j = 0; j < 30; j++) x[r * vocab + Math.floor(random() * vocab)]! += 12;
  return x;
}

export async function samplingRows(env: BenchEnv): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const kernel = new SamplingKernel(env.ctx);
  const penalties = new PenaltyKernel(env.ctx);
  const shapes = env.quick
    ? [
        [32000, 1],
        [32000, 8],
      ]
    : [
        [32000, 1],
        [32000, 64],
        [151936, 1],
        [151936, 64],
      ];
  for (const [vocab, n] of shapes as [number, number][]) {
    const logits = createTensor(env.gpu, 'f32', [n, vocab]);
    writeTensor(env.gpu, logits, peakedLogits(n, vocab));
    const out = { tokens: createTensor(env.gpu, 'i32', [n]), logprobs: createTensor(env.gpu, 'f32', [n]) };
    const params = new SamplingParamsBuffer(env.gpu, n);
    for (const [name, mode] of MODES) {
      params.write(Array.from({ length: n }, (_, i) => ({ ...mode, seed: i, step: 0 })));
      // Few calls for the slow rows (tens of ms each on lavapipe).
      const calls = env.quick ? 2 : n * vocab > 1e6 ? 3 : 20;
      const us = await env.time((rec) => kernel.record(rec, logits, params.tensor, out, n, vocab), calls);
      rows.push({
        kernel: `sample ${name}`,
        shape: `${n}×${vocab}`,
        usPerCall: us,
        bytes: 4 * n * (vocab + 2),
        flops: 0,
      });
    }
    const seen = Array.from({ length: n }, (_, r) => {
      const tokens = Array.from({ length: SEEN }, (_, i) => (i * 7919 + r) % vocab);
      return {
        presencePenalty: 0.5,
        frequencyPenalty: 0.5,
        repetitionPenalty: 1.2,
        outputCounts: new Map(tokens.slice(0, SEEN / 2).map((t) => [t, 2])),
        promptTokens: new Set(tokens.slice(SEEN / 4)),
      };
    });
    const packed = packPenalties(seen, vocab);
    const penaltyRows = createTensor(env.gpu, 'u32', [packed.rows.length]);
    const entries = createTensor(env.gpu, 'u32', [packed.entries.length]);
    writeTensor(env.gpu, penaltyRows, packed.rows);
    writeTensor(env.gpu, entries, packed.entries);
    const us = await env.time(
      (rec) => penalties.record(rec, logits, penaltyRows, entries, n, vocab),
      env.quick ? 2 : 20,
    );
    // Each entry read, and its logit read and written.
    rows.push({
      kernel: `penalties (${SEEN} seen)`,
      shape: `${n}×${vocab}`,
      usPerCall: us,
      bytes: n * SEEN * 24,
      flops: 0,
    });
    for (const t of [logits, out.tokens, out.logprobs, penaltyRows, entries]) t.buffer.destroy();
    params.destroy();
  }
  kernel.destroy();
  return rows;
}
