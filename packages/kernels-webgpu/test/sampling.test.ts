import { describe, expect, test } from '@jest/globals';
import {
  createTensor,
  readF32,
  readI32,
  SamplingKernel,
  SamplingParamsBuffer,
  uploadTensor,
  type SamplingParams,
} from '../src/index.js';
import {
  assertClose,
  poison,
  randomF32,
  rng,
  sampleRowRef,
  samplingProbsRef,
  type SampleRef,
} from '../src/testing/index.js';
import { run, useGpu, type Fixture } from './gpu-fixture.js';

const f = useGpu();
const COLS = 20;

interface Sampled {
  tokens: Int32Array;
  logprobs: Float32Array;
  topIds: Int32Array;
  topLogprobs: Float32Array;
}

/** Runs the sampler once on fresh tensors, every output poisoned first. */
async function sampleGpu(
  fx: Fixture,
  kernel: SamplingKernel,
  logits: Float32Array,
  params: readonly SamplingParams[],
): Promise<Sampled> {
  const n = params.length;
  const vocab = logits.length / n;
  const buf = new SamplingParamsBuffer(fx.gpu, n);
  buf.write(params);
  const input = uploadTensor(fx.gpu, 'f32', [n, vocab], logits);
  const out = {
    tokens: createTensor(fx.gpu, 'i32', [n]),
    logprobs: createTensor(fx.gpu, 'f32', [n]),
    topIds: createTensor(fx.gpu, 'i32', [n, COLS]),
    topLogprobs: createTensor(fx.gpu, 'f32', [n, COLS]),
  };
  for (const t of Object.values(out)) poison(fx.gpu, t);
  await run(fx, (rec) => kernel.record(rec, input, buf.tensor, out, n, vocab));
  const result = {
    tokens: await readI32(fx.gpu, out.tokens),
    logprobs: await readF32(fx.gpu, out.logprobs),
    topIds: await readI32(fx.gpu, out.topIds),
    topLogprobs: await readF32(fx.gpu, out.topLogprobs),
  };
  for (const t of [input, buf.tensor, ...Object.values(out)]) t.buffer.destroy();
  return result;
}

// Raw log-probabilities l - lse, l exact: lse is an f32 log-sum-exp over up
// to 152k terms (per-thread running sums of ~600 terms, then a tree), whose
// relative error becomes an absolute one in lse; measured <= 1.5e-6 at vocab
// 151936, bounded here by 1e-5 (plus one f32 rounding of |logprob| <= ~20).
const LOGPROB_TOL = { rtol: 1e-6, atol: 1e-5 };

/**
 * Checks every output of every row against the float64 reference: the token
 * is the reference's (or, where rounding could flip the draw, one of the
 * tokens it accepts), and the top-n ids match exactly. Returns how many rows
 * were such near-ties.
 */
function expectMatchesRef(logits: Float32Array, params: readonly SamplingParams[], got: Sampled): number {
  const vocab = logits.length / params.length;
  let nearTies = 0;
  const want = { logprobs: [] as number[], topLogprobs: [] as number[], topIds: [] as number[] };
  params.forEach((p, s) => {
    const ref: SampleRef = sampleRowRef(logits.subarray(s * vocab, (s + 1) * vocab), p);
    const token = got.tokens[s]!;
    if (token !== ref.token) {
      expect(ref.accepted).toContain(token);
      nearTies++;
    }
    want.logprobs.push(logits[s * vocab + token]! - (logits[s * vocab + ref.token]! - ref.logprob));
    for (let c = 0; c < COLS; c++) {
      want.topIds.push(c < ref.topIds.length ? ref.topIds[c]! : -1);
      want.topLogprobs.push(c < ref.topIds.length ? ref.topLogprobs[c]! : -Infinity);
    }
  });
  expect(Array.from(got.topIds)).toEqual(want.topIds);
  for (const [name, g, w] of [
    ['logprobs', got.logprobs, want.logprobs],
    ['top logprobs', got.topLogprobs, want.topLogprobs],
  ] as const) {
    // -inf (masked tokens, unused columns) must match exactly; the rest within tolerance.
    expect(w.map((x, i) => x === -Infinity && g[i] !== -Infinity)).not.toContain(true);
    const finite = (x: number) => (x === -Infinity ? 0 : x);
    assertClose(Array.from(g, finite), w.map(finite), LOGPROB_TOL, name);
  }
  return nearTies;
}

let sharedKernel: SamplingKernel | undefined;
const kernel = () => (sharedKernel ??= new SamplingKernel(f.ctx));

/** Rows of logits uniform in [-scale, scale]; `levels` > 0 rounds them to that many steps per unit (ties). */
function makeLogits(rows: number, vocab: number, seed: number, scale = 4, levels = 0): Float32Array {
  const x = randomF32(rows * vocab, rng(seed), scale);
  return levels ? x.map((v) => Math.round(v * levels) / levels) : x;
}

/** `rows` parameter sets built from a seed index. */
function batch(rows: number, make: (i: number) => Omit<SamplingParams, 'seed' | 'step'>): SamplingParams[] {
  return Array.from({ length: rows }, (_, i) => ({ seed: 1000 + 7919 * i, step: i % 5, ...make(i) }));
}

async function check(logits: Float32Array, params: SamplingParams[], k = kernel()): Promise<number> {
  return expectMatchesRef(logits, params, await sampleGpu(f, k, logits, params));
}

describe('SamplingKernel', () => {
  test.each([512, 32000, 151936])('greedy: argmax with ties to the lowest id, vocab %i', async (vocab) => {
    // Coarse logits: the maximum and the top-20 boundary are tied.
    const rows = vocab > 100_000 ? 3 : 8;
    const logits = makeLogits(rows, vocab, vocab, 4, 2);
    const params = batch(rows, (i) => ({ temperature: 0, numLogprobs: [20, 1, 0, 7][i % 4] }));
    expect(await check(logits, params)).toBe(0);
  });

  test('temperature only, many seeds and temperatures (vocab 512)', async () => {
    const logits = makeLogits(96, 512, 1, 3);
    const params = batch(96, (i) => ({ temperature: [0.5, 1, 1.7][i % 3]!, numLogprobs: i % 3 }));
    expect(await check(logits, params)).toBeLessThanOrEqual(1);
  });

  test.each<[string, (i: number) => Omit<SamplingParams, 'seed' | 'step'>]>([
    ['top-k', (i) => ({ temperature: 0.9, topK: [1, 5, 40, 511][i % 4] })],
    ['top-p', (i) => ({ temperature: 1, topP: [0.05, 0.5, 0.9, 0.99][i % 4] })],
    ['min-p', (i) => ({ temperature: 1.2, minP: [0.01, 0.1, 0.5, 0.95][i % 4] })],
    [
      'top-k + top-p + min-p',
      (i) => ({ temperature: 0.7, topK: 20 + i, topP: 0.8, minP: 0.02, numLogprobs: 3 }),
    ],
  ])('%s alone or combined, vocab 512 with and without ties', async (_, make) => {
    for (const levels of [0, 4]) {
      const logits = makeLogits(64, 512, 2 + levels, 3, levels);
      expect(await check(logits, batch(64, make))).toBeLessThanOrEqual(1);
    }
  });

  test.each([
    [512, 0.9],
    [32000, 0.95],
  ])('top-p alone on peaked logits (nucleus within the gathered list), vocab %i', async (vocab, topP) => {
    // As LLM logits look: a few dozen strong candidates over a flat tail, so
    // the nucleus lies within the ~128 gathered tokens.
    const rows = 12;
    const logits = makeLogits(rows, vocab, 21, 4);
    const random = rng(22);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < 30; j++) logits[r * vocab + Math.floor(random() * vocab)]! += 12;
    const params = batch(rows, (i) => ({
      temperature: 0.7,
      topP,
      minP: [0, 0.1][i % 2],
      numLogprobs: i % 4,
    }));
    expect(await check(logits, params)).toBeLessThanOrEqual(1);
  });

  test('heavy ties overflow the gathered list and fall back to the full search', async () => {
    // Three distinct logits: every top set is over a thousand tokens.
    const vocab = 4096;
    const logits = makeLogits(12, vocab, 33, 1, 1);
    const params = batch(12, (i) => ({
      temperature: [0, 1][i % 2]!,
      topK: [5, 0, 300][i % 3],
      topP: [1, 0.5][(i >> 1) % 2],
      numLogprobs: 20,
    }));
    expect(await check(logits, params)).toBe(0);
  });

  test.each([
    [32000, 12],
    [151936, 4],
    [1001, 16],
    [77, 16],
  ])('mixed settings, vocab %i (not always a multiple of 4 or of the workgroup)', async (vocab, rows) => {
    const logits = makeLogits(rows, vocab, vocab, 6);
    const params = batch(rows, (i) => ({
      temperature: [0, 0.6, 1, 1.3][i % 4]!,
      topK: [0, 50, -1, 1000][(i >> 2) % 4],
      topP: [1, 0.9, 0.95, 0.6][i % 4],
      minP: [0, 0.05][(i >> 1) % 2],
      numLogprobs: [0, 20, 5, 1][i % 4],
    }));
    expect(await check(logits, params)).toBeLessThanOrEqual(1);
  });

  test('masked (-inf) logits are never drawn and report -inf', async () => {
    const vocab = 300;
    const logits = makeLogits(8, vocab, 9, 2);
    // Row r keeps only its first 3 + r tokens finite.
    for (let r = 0; r < 8; r++) logits.fill(-Infinity, r * vocab + 3 + r, (r + 1) * vocab);
    const params = batch(8, (i) => ({ temperature: [0, 1][i % 2]!, topK: 10 * (i % 3), numLogprobs: 20 }));
    const got = await sampleGpu(f, kernel(), logits, params);
    expect(expectMatchesRef(logits, params, got)).toBe(0);
    got.tokens.forEach((t, r) => expect(t).toBeLessThan(3 + r));
  });

  test('a seeded row draws the same wherever it sits and whatever its neighbours', async () => {
    const vocab = 4096;
    const mine: SamplingParams = {
      temperature: 1.1,
      topP: 0.97,
      seed: 123456789012,
      step: 41,
      numLogprobs: 4,
    };
    const row = makeLogits(1, vocab, 5, 4);
    const draws: number[] = [];
    for (const [pos, rows] of [
      [0, 1],
      [5, 9],
      [16, 17],
    ] as const) {
      const logits = makeLogits(rows, vocab, 100 + pos, 4);
      logits.set(row, pos * vocab);
      const params = batch(rows, () => ({ temperature: 1, topK: 7 }));
      params[pos] = mine;
      const got = await sampleGpu(f, kernel(), logits, params);
      draws.push(got.tokens[pos]!, got.logprobs[pos]!);
      expectMatchesRef(logits, params, got);
    }
    expect(draws.slice(2)).toEqual([...draws.slice(0, 2), ...draws.slice(0, 2)]);
    // A later step draws fresh noise.
    const next = await sampleGpu(f, kernel(), row, [{ ...mine, step: 42 }]);
    const at41 = await sampleGpu(f, kernel(), row, [mine]);
    expect(at41.tokens[0]).toBe(draws[0]);
    expect(sampleRowRef(row, { ...mine, step: 42 }).accepted).toContain(next.tokens[0]);
  });

  test('a smaller workgroup (vocab below it too) gives the same results', async () => {
    const small = new SamplingKernel(f.ctx, { workgroupSize: 64 });
    for (const vocab of [20, 700]) {
      const logits = makeLogits(8, vocab, vocab, 3, vocab === 20 ? 2 : 0);
      const params = batch(8, (i) => ({ temperature: i % 3, topK: 3 * (i % 2), topP: 0.9, numLogprobs: 20 }));
      expect(await check(logits, params, small)).toBe(0);
      const big = await sampleGpu(f, kernel(), logits, params);
      expect(Array.from((await sampleGpu(f, small, logits, params)).tokens)).toEqual(Array.from(big.tokens));
    }
    small.destroy();
  });

  test.each<[string, Omit<SamplingParams, 'seed' | 'step'>, (i: number) => [number, number]]>([
    ['temperature 0.8, consecutive seeds', { temperature: 0.8 }, (i) => [i, 3]],
    [
      'all filters, one seed, consecutive steps',
      { temperature: 1, topK: 24, topP: 0.9, minP: 0.05 },
      (i) => [77, i],
    ],
  ])('draw frequencies match the filtered distribution: %s', async (_, p, seedStep) => {
    const vocab = 64;
    const rows = 2048;
    const row = makeLogits(1, vocab, 11, 2);
    const logits = new Float32Array(rows * vocab);
    for (let r = 0; r < rows; r++) logits.set(row, r * vocab);
    const params = Array.from({ length: rows }, (_, i) => {
      const [seed, step] = seedStep(i);
      return { ...p, seed, step };
    });
    const got = await sampleGpu(f, kernel(), logits, params);
    expect(expectMatchesRef(logits, params, got)).toBeLessThanOrEqual(1);
    const probs = samplingProbsRef(row, params[0]!);
    const counts = new Float64Array(vocab);
    for (const t of got.tokens) counts[t]!++;
    let chi2 = 0;
    let cells = 0;
    probs.forEach((q, i) => {
      if (q === 0) return expect(counts[i]).toBe(0);
      chi2 += (counts[i]! - rows * q) ** 2 / (rows * q);
      cells++;
    });
    // Chi-square with cells - 1 degrees of freedom: mean df, sd sqrt(2 df);
    // 5 sd is a false-alarm rate below 1e-5 (and the seeds are fixed).
    const df = cells - 1;
    expect(chi2).toBeLessThan(df + 5 * Math.sqrt(2 * df));
  });

  test('record rejects tensors too small for the batch', () => {
    const k = kernel();
    const buf = new SamplingParamsBuffer(f.gpu, 2);
    const logits = createTensor(f.gpu, 'f32', [4, 10]);
    const out = { tokens: createTensor(f.gpu, 'i32', [4]), logprobs: createTensor(f.gpu, 'f32', [4]) };
    const topIds = createTensor(f.gpu, 'i32', [2, 21]);
    const topLogprobs = createTensor(f.gpu, 'f32', [2, 21]);
    const rec = f.ctx.begin();
    try {
      expect(() => k.record(rec, logits, buf.tensor, out, 4, 10)).toThrow(/params/);
      expect(() => k.record(rec, logits, buf.tensor, out, 2, 30)).toThrow(/logits/);
      expect(() => k.record(rec, logits, buf.tensor, { ...out, topIds, topLogprobs }, 2, 10)).toThrow(
        /top-n/,
      );
    } finally {
      f.gpu.device.queue.submit([rec.finish()]);
    }
    for (const t of [buf.tensor, logits, out.tokens, out.logprobs, topIds, topLogprobs]) t.buffer.destroy();
  });

  test('a steady state builds no pipelines', async () => {
    const n = 4;
    const buf = new SamplingParamsBuffer(f.gpu, n);
    const logits = uploadTensor(f.gpu, 'f32', [n, 64], makeLogits(n, 64, 3));
    const out = { tokens: createTensor(f.gpu, 'i32', [n]), logprobs: createTensor(f.gpu, 'f32', [n]) };
    const step = async (s: number) => {
      buf.write(batch(n, () => ({ temperature: 1, topK: 5 })).map((p) => ({ ...p, step: s })));
      await run(f, (rec) => kernel().record(rec, logits, buf.tensor, out, n, 64));
    };
    await step(0);
    const pipelines = f.ctx.numPipelines;
    await step(1);
    expect(f.ctx.numPipelines).toBe(pipelines);
  });
});
