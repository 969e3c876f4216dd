import { describe, expect, test } from '@jest/globals';
import { AddKernel, createTensor, grid2d, readF32, uploadTensor } from '../src/index.js';
import { addRef, assertClose, poison, randomF32, rng } from '../src/testing/index.js';
import { run, useGpu } from './gpu-fixture.js';

const f = useGpu();

describe('AddKernel', () => {
  // Sizes that are not multiples of the workgroup size.
  test.each([1, 255, 257, 1000, 100_003])('out = a + b, n=%i', async (n) => {
    const random = rng(n);
    const a = randomF32(n, random);
    const b = randomF32(n, random);
    const ta = uploadTensor(f.gpu, 'f32', [n], a);
    const tb = uploadTensor(f.gpu, 'f32', [n], b);
    const out = createTensor(f.gpu, 'f32', [n]);
    poison(f.gpu, out);
    const add = new AddKernel(f.ctx);
    await run(f, (rec) => add.record(rec, ta, tb, out, n));
    // One f32 rounding of an exact sum: 2^-24 relative.
    assertClose(await readF32(f.gpu, out), addRef(a, b), { rtol: 6e-8, atol: 0 });
  });

  test('x += y in place', async () => {
    const random = rng(7);
    const x = randomF32(777, random);
    const y = randomF32(777, random);
    const tx = uploadTensor(f.gpu, 'f32', [777], x);
    const ty = uploadTensor(f.gpu, 'f32', [777], y);
    const add = new AddKernel(f.ctx);
    await run(f, (rec) => add.recordInPlace(rec, tx, ty, 777));
    assertClose(await readF32(f.gpu, tx), addRef(x, y), { rtol: 6e-8, atol: 0 });
  });

  test('a steady state builds no pipelines and no bind groups', async () => {
    const add = new AddKernel(f.ctx);
    const [a, b, out] = [1, 2, 3].map((s) => uploadTensor(f.gpu, 'f32', [64], randomF32(64, rng(s))));
    await run(f, (rec) => add.record(rec, a!, b!, out!, 64));
    const pipelines = f.ctx.numPipelines;
    const kernel = f.ctx.kernel('add', () => ({ code: '', bindings: [] }));
    const group = f.ctx.bindGroup(kernel, [a!, b!, out!]);
    await run(f, (rec) => add.record(rec, a!, b!, out!, 64));
    expect(f.ctx.numPipelines).toBe(pipelines);
    expect(f.ctx.bindGroup(kernel, [a!, b!, out!])).toBe(group);
  });
});

test('grid2d covers any workgroup count within the per-dimension limit', () => {
  for (const count of [1, 65535, 65536, 1_000_000, 65535 * 3 + 1]) {
    const g = grid2d(count);
    expect(g.x).toBeLessThanOrEqual(65535);
    expect(g.y).toBeLessThanOrEqual(65535);
    expect(g.x * g.y).toBeGreaterThanOrEqual(count);
  }
});
