/** The forward pass's logits against run.c's, through the runner's own pieces. */
import { afterAll, beforeAll, test } from '@jest/globals';
import { createGpu, KernelContext, readF32, writeTensor, createTensor, type Gpu } from '@x/kernels-webgpu';
import { assertClose } from '@x/kernels-webgpu/testing';
import { allocateKvCache, LlamaForward, loadModel, uploadWeights } from '../src/index.js';
import { golden } from './engine-fixtures.js';
import { modelPath } from '@x/test-models';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu.destroy());

/** Logits of the last token after running `ids` as one prefill in blocks of 16. */
async function logitsAfter(file: string, ids: number[]): Promise<Float32Array> {
  const model = loadModel(modelPath(file));
  const ctx = new KernelContext(gpu);
  const weights = uploadWeights(gpu, model.config, model.weights);
  const kv = allocateKvCache(gpu, model.config, 16, { numBlocks: 4 });
  const forward = new LlamaForward(ctx, model.config, weights, kv);
  const i32 = (name: string, data: number[], shape = [data.length]) => {
    const t = createTensor(gpu, 'i32', shape, name);
    writeTensor(gpu, t, Int32Array.from(data));
    return t;
  };
  const n = ids.length;
  // Blocks 3, 1, … : a non-trivial block table.
  const table = [3, 1, 0, 2];
  const rec = ctx.begin();
  const logits = forward.record(rec, {
    numTokens: n,
    numSampled: 1,
    maxContextLen: n,
    tokenIds: i32('ids', ids),
    positions: i32(
      'pos',
      ids.map((_, p) => p),
    ),
    slotMapping: i32(
      'slots',
      ids.map((_, p) => table[Math.floor(p / 16)]! * 16 + (p % 16)),
    ),
    queryStart: i32('qs', [0, n]),
    contextLens: i32('cl', [n]),
    blockTables: i32('bt', table, [1, 4]),
    sampleRows: i32('rows', [n - 1]),
  });
  gpu.device.queue.submit([rec.finish()]);
  const out = await readF32(gpu, logits);
  forward.destroy();
  kv.destroy();
  weights.destroy();
  ctx.destroy();
  return out;
}

// run.c computes in f32 too, in another order: |Δ| ≲ 1e-5 on logits of size ~10 (llama.cpp agrees to 6.2e-6).
const TOL = { rtol: 1e-5, atol: 5e-5 };

test.each(['stories260K.gguf', 'stories260K.bin'])('%s: logits of BOS at position 0', async (file) => {
  assertClose(await logitsAfter(file, [1]), golden().first_logits_bos, TOL, 'logits');
});

test.each(['stories260K.gguf', 'stories260K.bin'])('%s: logits after "Once upon a time"', async (file) => {
  const g = golden();
  assertClose(await logitsAfter(file, g.logits_prompt_token_ids), g.logits_after_prompt, TOL, 'logits');
});
