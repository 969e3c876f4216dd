import { DEFAULT_CHUNKED_TOKEN_BUDGET, maxSequenceLength, resolveConfig } from '../src/config.js';
import { Scheduler } from '../src/scheduler.js';

describe('resolveConfig', () => {
  test('fills vLLM-like defaults', () => {
    expect(resolveConfig({ numBlocks: 100, maxModelLen: 4096 })).toEqual({
      maxNumSeqs: 256,
      maxNumBatchedTokens: DEFAULT_CHUNKED_TOKEN_BUDGET,
      maxModelLen: 4096,
      blockSize: 16,
      numBlocks: 100,
      enableChunkedPrefill: true,
      longPrefillTokenThreshold: 0,
      policy: 'fcfs',
      enablePrefixCaching: true,
    });
  });

  test('without chunked prefill, the budget defaults to the longest sequence', () => {
    const config = resolveConfig({
      numBlocks: 10,
      blockSize: 16,
      maxModelLen: 4096,
      enableChunkedPrefill: false,
    });
    expect(maxSequenceLength(config)).toBe(160);
    expect(config.maxNumBatchedTokens).toBe(160);
  });

  test('returns a frozen object', () => {
    expect(Object.isFrozen(resolveConfig({ numBlocks: 1, maxModelLen: 16 }))).toBe(true);
  });

  test.each([
    [{ maxNumSeqs: 0 }, /maxNumSeqs must be an integer >= 1 \(got 0\)/],
    [{ maxNumBatchedTokens: 1.5 }, /maxNumBatchedTokens must be an integer/],
    [{ maxModelLen: 1 }, /maxModelLen must be an integer >= 2/],
    [{ blockSize: -16 }, /blockSize/],
    [{ numBlocks: Number.NaN }, /numBlocks/],
    [{ longPrefillTokenThreshold: -1 }, /longPrefillTokenThreshold must be an integer >= 0/],
    [{ policy: 'lifo' }, /policy must be "fcfs" or "priority" \(got "lifo"\)/],
    [{ enablePrefixCaching: 'yes' }, /enablePrefixCaching must be a boolean/],
    [{ enableChunkedPrefill: 1 }, /enableChunkedPrefill must be a boolean/],
    [{ longPrefillTokenThreshold: 8, enableChunkedPrefill: false }, /requires enableChunkedPrefill/],
    [{ enableChunkedPrefill: false, maxNumBatchedTokens: 100 }, /must be >= the longest sequence.*= 128/],
    [{ maxNumSeq: 4 }, /unknown scheduler option "maxNumSeq"/],
  ])('rejects %j', (override, message) => {
    const input = { numBlocks: 8, maxModelLen: 128, ...override } as Parameters<typeof resolveConfig>[0];
    expect(() => resolveConfig(input)).toThrow(message);
  });

  test('the scheduler validates at construction but accepts its own clock and logger options', () => {
    expect(() => new Scheduler({ numBlocks: 0, maxModelLen: 16 })).toThrow(/numBlocks/);
    const scheduler = new Scheduler({
      numBlocks: 4,
      maxModelLen: 16,
      clock: { nowNs: () => 0 },
      logger: console,
    });
    expect(scheduler.config.numBlocks).toBe(4);
  });
});
