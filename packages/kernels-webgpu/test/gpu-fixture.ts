/** One device per test file, destroyed after it. */
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { createGpu, KernelContext, type Gpu } from '../src/index.js';

export interface Fixture {
  gpu: Gpu;
  ctx: KernelContext;
}

/**
 * Call at a test file's top level; the returned object fills in before the
 * first test. A WebGPU validation error anywhere in a test fails that test.
 */
export function useGpu(): Fixture {
  const f = {} as Fixture;
  const errors: string[] = [];
  beforeAll(async () => {
    f.gpu = await createGpu();
    f.ctx = new KernelContext(f.gpu);
    f.gpu.device.addEventListener('uncapturederror', (e) => {
      errors.push((e as GPUUncapturedErrorEvent).error.message);
    });
  });
  afterEach(async () => {
    await f.gpu.device.queue.onSubmittedWorkDone();
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(() => {
    f.ctx?.destroy();
    f.gpu?.destroy();
  });
  return f;
}

/** Records with `fn`, submits, and waits for the GPU. */
export async function run(f: Fixture, fn: (rec: ReturnType<KernelContext['begin']>) => void): Promise<void> {
  const rec = f.ctx.begin();
  fn(rec);
  f.gpu.device.queue.submit([rec.finish()]);
  await f.gpu.device.queue.onSubmittedWorkDone();
}
