import { describe, expect, test } from '@jest/globals';
import {
  createGpu,
  createTensor,
  GEMV_MAX_T,
  KernelContext,
  MatmulKernel,
  readF32,
  uploadTensor,
  type GpuTensor,
  type MatmulPath,
  type MatmulVariant,
  type MatmulWeightDType,
} from '../src/index.js';
import {
  assertClose,
  encodeWeights,
  matmulRef,
  poison,
  randomF32,
  rng,
  type MatmulReference,
} from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

type Case = [dtype: MatmulWeightDType, t: number, n: number, k: number, bias: boolean, path?: MatmulPath];

// Every dtype on both paths, aligned rows (vec4 reads) and not (f32 K = 13,
// f16 K = 44), GEMV activation-row counts 1..4 and a GEMV forced past its
// range (T = 7: two chunks), GEMM tails in T, N and K, N = 1, and K = 4096.
const CASES: Case[] = [
  ['f32', 1, 64, 4096, true],
  ['f32', 3, 257, 13, false],
  ['f32', 33, 172, 172, true],
  ['f32', 130, 5, 13, true],
  ['f16', 2, 512, 288, true],
  ['f16', 1, 64, 44, false],
  ['f16', 130, 257, 64, true],
  ['f16', 33, 5, 44, false],
  ['q8_0', 1, 172, 288, true],
  ['q8_0', 3, 257, 64, false],
  ['q8_0', 7, 64, 96, false, 'gemv'],
  ['q8_0', 33, 512, 96, true],
  ['q8_0', 2, 1, 32, true, 'gemm'],
  // K-quants: a GEMV and a GEMM each (through buffers for T <= 16, else
  // texture copies), N off every tile, K whole super-blocks.
  ['q4_k', 3, 172, 512, true],
  ['q4_k', 40, 65, 256, false],
  ['q6_k', 33, 20, 256, true],
  ['q5_k', 5, 63, 256, false],
];

// The subgroup variant only: the portable GEMV decodes through the same
// snippet as the portable GEMM and is checked on q4_k above; each of these
// would cost ~6 s of shader compilation on lavapipe.
const SUBGROUP_ONLY: Case[] = [
  ['q6_k', 1, 257, 512, false],
  ['q5_k', 1, 9, 768, true],
];

function caseName([dtype, t, n, k, bias, path]: Case): string {
  return `${dtype} T=${t} N=${n} K=${k}${bias ? ' +bias' : ''}${path ? ` (forced ${path})` : ''}`;
}

/**
 * Compares y with the reference. The reference multiplies the dequantised
 * weights, so only f32 rounding in a different summation order separates them:
 * at most λ·√K·u·Σ|x·w| with u = 2^-24 and λ = 4 (probabilistic bound, Higham
 * & Mary 2019; observed λ < 1), plus one rounding of the bias add. K-quant
 * weights are decoded with one f32 rounding each (d·sc·q is exact, the min's
 * subtraction rounds once): at most u·Σ|x·w| more, inside the same bound.
 */
async function expectProduct(y: GpuTensor, ref: MatmulReference, k: number, what?: string): Promise<void> {
  const atol = 4 * Math.sqrt(k) * 2 ** -24 * ref.absSum.reduce((a, b) => Math.max(a, b), 0);
  assertClose(await readF32(f.gpu, y), ref.y, { rtol: 2 ** -23, atol }, what);
}

/** Uploads random inputs, runs one matmul over a poisoned output and checks every element. */
async function check(mm: MatmulKernel, [dtype, t, n, k, hasBias, path]: Case): Promise<void> {
  const random = rng(t * 7919 + n * 31 + k);
  const xs = randomF32(t * k, random);
  const weights = encodeWeights(dtype, randomF32(n * k, random));
  const biasValues = hasBias ? randomF32(n, random) : undefined;
  const x = uploadTensor(f.gpu, 'f32', [t, k], xs);
  const w = uploadTensor(f.gpu, dtype, [n, k], weights.data);
  const bias = biasValues && uploadTensor(f.gpu, 'f32', [n], biasValues);
  const y = createTensor(f.gpu, 'f32', [t, n]);
  poison(f.gpu, y);
  await run(f, (rec) => mm.record(rec, x, w, y, { bias, path }));
  const ref = matmulRef(xs, weights.values, t, n, k, biasValues);
  await expectProduct(y, ref, k, `${dtype} T=${t} N=${n} K=${k}`);
  for (const tensor of [x, w, y, bias]) tensor?.buffer.destroy();
}

describe.each<MatmulVariant>(['subgroup', 'portable'])('MatmulKernel (%s)', (variant) => {
  const cases = variant === 'subgroup' ? [...CASES, ...SUBGROUP_ONLY] : CASES;
  test.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_, c) => {
    const mm = new MatmulKernel(f.ctx, { variant });
    expect(mm.pathFor(c[1])).toBe(c[1] <= GEMV_MAX_T ? 'gemv' : 'gemm');
    await check(mm, c);
  });

  test('more than 65535 row groups spread over a 2-D grid', async () => {
    await check(new MatmulKernel(f.ctx, { variant }), ['f32', 1, 524_289, 4, true]);
  });
});

describe('MatmulKernel', () => {
  test('defaults to the subgroup variant only with 8- to 16-lane subgroups', async () => {
    const { subgroups, subgroupMinSize, subgroupMaxSize } = f.gpu.caps;
    const simd = subgroups && subgroupMinSize >= 8 && subgroupMaxSize <= 16;
    expect(new MatmulKernel(f.ctx).variant).toBe(simd ? 'subgroup' : 'portable');
    const baseline = await createGpu({ baseline: true });
    const ctx = new KernelContext(baseline);
    expect(new MatmulKernel(ctx).variant).toBe('portable');
    expect(() => new MatmulKernel(ctx, { variant: 'subgroup' })).toThrow(/subgroups/);
    ctx.destroy();
    baseline.destroy();
  });

  test.each<[MatmulWeightDType, number]>([
    ['q8_0', 64],
    ['q6_k', 256],
  ])('a %s weight split into row blocks fills one y through `column`', async (dtype, k) => {
    const mm = new MatmulKernel(f.ctx);
    // A GEMM reusing a pipeline built above (each costs ~1 s of LLVM); each
    // Q6_K block is a tensor of its own, with its own scales region.
    const [t, blocks] = [33, [40, 24]] as const;
    const n = blocks[0] + blocks[1];
    const xs = randomF32(t * k, rng(5));
    const wValues = randomF32(n * k, rng(6));
    const biasValues = randomF32(n, rng(7));
    const x = uploadTensor(f.gpu, 'f32', [t, k], xs);
    const y = createTensor(f.gpu, 'f32', [t, n]);
    poison(f.gpu, y);
    const dequantised = new Float64Array(n * k);
    const parts = blocks.map((rows, i) => {
      const first = i ? blocks[0] : 0;
      const block = encodeWeights(dtype, wValues.subarray(first * k, (first + rows) * k));
      dequantised.set(block.values, first * k);
      const w = uploadTensor(f.gpu, dtype, [rows, k], block.data);
      const bias = uploadTensor(f.gpu, 'f32', [rows], biasValues.subarray(first, first + rows));
      return { w, bias, column: first };
    });
    await run(f, (rec) => parts.forEach(({ w, bias, column }) => mm.record(rec, x, w, y, { bias, column })));
    await expectProduct(y, matmulRef(xs, dequantised, t, n, k, biasValues), k);
  });

  test('a steady state builds no pipelines and no bind groups', async () => {
    const mm = new MatmulKernel(f.ctx);
    const x = uploadTensor(f.gpu, 'f32', [1, 32], randomF32(32, rng(1)));
    const w = uploadTensor(f.gpu, 'q8_0', [8, 32], encodeWeights('q8_0', randomF32(256, rng(2))).data);
    const y = createTensor(f.gpu, 'f32', [1, 8]);
    await run(f, (rec) => mm.record(rec, x, w, y));
    const pipelines = f.ctx.numPipelines;
    let bindGroups = 0;
    const createBindGroup = f.gpu.device.createBindGroup.bind(f.gpu.device);
    f.gpu.device.createBindGroup = (d) => (bindGroups++, createBindGroup(d));
    await run(f, (rec) => mm.record(rec, x, w, y));
    f.gpu.device.createBindGroup = createBindGroup;
    expect(f.ctx.numPipelines).toBe(pipelines);
    expect(bindGroups).toBe(0);
  });

  test('rejects bad arguments with a reason', () => {
    const mm = new MatmulKernel(f.ctx);
    const rec = f.ctx.begin();
    const t = (dtype: 'f32' | 'f16' | 'q8_0' | 'q4_k' | 'i32', shape: number[]) =>
      createTensor(f.gpu, dtype, shape);
    const x = t('f32', [2, 64]);
    const y = t('f32', [2, 8]);
    expect(() => mm.record(rec, t('f32', [2, 48]), t('q8_0', [8, 48]), y)).toThrow(/K % 32/);
    expect(() => mm.record(rec, t('f32', [2, 128]), t('q4_k', [2, 128]), y)).toThrow(
      /q4_k weights need K % 256/,
    );
    expect(() => mm.record(rec, x, t('f32', [8, 32]), y)).toThrow(/inner sizes/);
    expect(() => mm.record(rec, x, t('f32', [8, 64]), t('f32', [3, 8]))).toThrow(/want y \[2, 8\]/);
    expect(() => mm.record(rec, x, t('f32', [8, 64]), y, { column: 1 })).toThrow(/want y \[2, >= 1 \+ 8\]/);
    expect(() => mm.record(rec, x, t('i32', [8, 64]), y)).toThrow(/f32, f16, q8_0, q4_k, q5_k, q6_k/);
    expect(() => mm.record(rec, x, t('f32', [8, 64]), y, { bias: t('f32', [9]) })).toThrow(/bias \[8\]/);
    expect(() => mm.record(rec, x, t('f32', [8, 64]), { ...y, buffer: x.buffer })).toThrow(
      /buffer of its own/,
    );
    // f32 [4096, 11008] is 172 MiB, over lavapipe's 128 MiB binding limit.
    const big = t('f32', [4096, 11008]);
    if (big.byteLength > f.gpu.limits.maxStorageBufferBindingSize)
      expect(() => mm.record(rec, t('f32', [1, 11008]), big, t('f32', [1, 4096]))).toThrow(
        /maxStorageBufferBindingSize.*f16 or q8_0/,
      );
    big.buffer.destroy();
    rec.finish();
  });
});
