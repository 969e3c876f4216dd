/**
 * Llama 3 RoPE scaling against llama.cpp: a synthetic Llama-3-style model
 * (`rope_freqs.weight` as the HF converter computes it, base 500000, GQA 8:1,
 * tied embeddings) is scored by this engine and by llama.cpp on the same 128
 * ids. The original context is shortened to 32 so the factors change most
 * pairs' angles within the prompt. A linear `rope.scaling.factor`, alone and on
 * top of the factors, is checked the same way.
 */
import { afterAll, expect, test } from '@jest/globals';
import { gguf } from '../src/model/gguf-metadata.js';
import { rewriteGguf, tempDir, writeSmall } from './fixtures-gguf.js';
import { diffStats, engineLogprobs, promptIds, scoreAgainstLlamaCpp } from './llama-cpp-agreement.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const VOCAB = 400;
const TOKENS = 128;

test('Llama 3 RoPE factors: per-token log-probabilities within 0.03 on average and 0.15 at most of llama.cpp', async () => {
  // Head size 32 at base 500000: pair 0 keeps its frequency, pair 1 is blended, pairs 2..15 are divided by 8.
  const path = writeSmall(tmp.file('llama3.gguf'), {
    dim: 256,
    hiddenDim: 512,
    nLayers: 2,
    nHeads: 8,
    nKvHeads: 1,
    vocabSize: VOCAB,
    maxSeqLen: 256,
    ropeTheta: 500000,
    llama3Rope: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContextLength: 32 },
  });
  const tokens = promptIds(TOKENS, VOCAB);
  const { ours, theirs, mean, max, llamaCppRelease } = await scoreAgainstLlamaCpp(path, tokens, 256);
  expect(ours).toHaveLength(TOKENS - 1);
  expect(theirs).toHaveLength(TOKENS - 1);
  console.log(`Llama 3 RoPE vs llama.cpp ${llamaCppRelease}: mean |Δ logprob| ${mean}, max ${max}`);
  expect(mean).toBeLessThanOrEqual(0.03);
  expect(max).toBeLessThanOrEqual(0.15);

  // The factors matter: without them the same weights fail the bound (measured: with
  // them mean 0.0003, max 0.0012; without, 0.37 and 1.4).
  const unscaled = rewriteGguf(path, tmp.file('unscaled.gguf'), (c) => {
    c.tensors = c.tensors.filter((t) => t.name !== 'rope_freqs.weight');
  });
  const without = diffStats(await engineLogprobs(unscaled, tokens, 256), theirs);
  console.log(`without rope_freqs: mean |Δ logprob| ${without.mean}, max ${without.max}`);
  expect(without.mean).toBeGreaterThan(0.03);
});

test.each([
  ['linear scaling by 4', false],
  ['linear scaling by 4 on top of the Llama 3 factors', true],
])('%s: within the same bounds of llama.cpp', async (what, keepFactors) => {
  const path = rewriteGguf(
    writeSmall(tmp.file(`llama3-${keepFactors}.gguf`), {
      dim: 256,
      hiddenDim: 512,
      nLayers: 2,
      nHeads: 8,
      nKvHeads: 2,
      vocabSize: VOCAB,
      maxSeqLen: 256,
      ropeTheta: 500000,
      llama3Rope: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContextLength: 32 },
    }),
    tmp.file(`linear-${keepFactors}.gguf`),
    (c) => {
      c.metadata.set('llama.rope.scaling.type', gguf.string('linear'));
      c.metadata.set('llama.rope.scaling.factor', gguf.f32(4));
      if (!keepFactors) c.tensors = c.tensors.filter((t) => t.name !== 'rope_freqs.weight');
    },
  );
  const { mean, max } = await scoreAgainstLlamaCpp(path, promptIds(TOKENS, VOCAB), 256);
  console.log(`${what} vs llama.cpp: mean |Δ logprob| ${mean}, max ${max}`);
  expect(mean).toBeLessThanOrEqual(0.03);
  expect(max).toBeLessThanOrEqual(0.15);
});
