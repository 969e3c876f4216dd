/**
 * Settings that cannot work are refused by createEngine, naming the options,
 * before any weight reaches the device: a KV cache smaller than one sequence
 * of the context (as vLLM refuses), and combinations the scheduler refuses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createGpu, type Gpu } from '@x/kernels-webgpu';
import { modelPath } from '@x/test-models';
import {
  createEngine,
  EngineConfigError,
  loadModel,
  readModelConfig,
  type EngineOptions,
} from '../src/index.js';
import { storiesEngine } from './engine-fixtures.js';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu.destroy());

/** Starts an engine on stories260K (a 512-token context); resolves with what createEngine threw. */
async function refusal(options: Partial<EngineOptions>): Promise<unknown> {
  let uploaded = 0;
  try {
    const engine = await storiesEngine('gguf', {
      ...options,
      gpu,
      onLoadProgress: (done) => (uploaded = done),
    });
    await engine.shutdown();
    return undefined;
  } catch (error) {
    expect(uploaded).toBe(0);
    return error;
  }
}

describe('a KV cache smaller than the context', () => {
  test('an exact block count is refused, naming both sizes and the options', async () => {
    const error = await refusal({ kvCache: { numBlocks: 12 } });
    expect(error).toBeInstanceOf(EngineConfigError);
    expect((error as Error).message).toMatch(
      /12 blocks × 16 tokens = 192 tokens .* cannot hold one sequence of maxModelLen 512 tokens, which needs 32 blocks .*kvCache.*maxModelLen/,
    );
  });

  test('a memory budget is refused the same way', async () => {
    const error = await refusal({ kvCache: { memoryBytes: 64 * 1024 } });
    expect(error).toBeInstanceOf(EngineConfigError);
    expect((error as Error).message).toMatch(
      /3 blocks × 16 tokens = 48 tokens \(61440 bytes\) cannot hold .* needs 32 blocks \(655360 bytes\)/,
    );
  });

  test('with maxModelLen lowered to what it holds, it serves', async () => {
    const engine = await storiesEngine('gguf', { gpu, kvCache: { numBlocks: 12 }, maxModelLen: 192 });
    expect(engine.maxModelLen).toBe(192);
    await engine.shutdown();
  });
});

describe('a context longer than the model', () => {
  test("is refused as vLLM does, naming both lengths, not served at the model's", async () => {
    const error = await refusal({ maxModelLen: 4096 });
    expect(error).toBeInstanceOf(EngineConfigError);
    expect((error as Error).message).toMatch(
      /maxModelLen 4096 is longer than the model's context of 512 tokens: lower maxModelLen to at most 512/,
    );
  });
});

describe('combinations the scheduler refuses', () => {
  test.each([
    [{ enableChunkedPrefill: false, maxNumBatchedTokens: 64 }, /maxNumBatchedTokens \(64\) must be >=/],
    [{ longPrefillTokenThreshold: 8, enableChunkedPrefill: false }, /requires enableChunkedPrefill/],
    [{ maxNumSeqs: 0 }, /maxNumSeqs/],
  ])('%j', async (options, message) => {
    const error = await refusal(options);
    expect(error).toBeInstanceOf(EngineConfigError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('before the weights are read', () => {
  test.each(['stories260K.gguf', 'stories260K.bin'])('the shape of %s is read from its header', (name) => {
    expect(readModelConfig(modelPath(name))).toEqual(loadModel(modelPath(name)).config);
  });

  test('a checkpoint cut short after its header is refused for its settings, not its size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-config-'));
    try {
      const cut = join(dir, 'cut.bin');
      writeFileSync(cut, readFileSync(modelPath('stories260K.bin')).subarray(0, 1024));
      const options = { model: cut, tokenizer: modelPath('tok512.bin'), gpu };
      await expect(createEngine({ ...options, kvCache: { numBlocks: 12 } })).rejects.toThrow(
        EngineConfigError,
      );
      await expect(createEngine({ ...options, kvCache: { numBlocks: 32 } })).rejects.toThrow(/implies/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
