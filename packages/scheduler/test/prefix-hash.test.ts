import { ensureBlockHashes, hashBlockTokens, ROOT_BLOCK_HASH, type BlockHasher } from '../src/prefix-hash.js';

describe('hashBlockTokens', () => {
  test('is deterministic and a non-negative safe integer', () => {
    const h = hashBlockTokens(ROOT_BLOCK_HASH, [1, 2, 3, 4], 0, 4);
    expect(hashBlockTokens(ROOT_BLOCK_HASH, [1, 2, 3, 4], 0, 4)).toBe(h);
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
  });

  test('chains: the same tokens under different parents hash differently', () => {
    const parentA = hashBlockTokens(ROOT_BLOCK_HASH, [1, 2], 0, 2);
    const parentB = hashBlockTokens(ROOT_BLOCK_HASH, [1, 3], 0, 2);
    expect(hashBlockTokens(parentA, [7, 8], 0, 2)).not.toBe(hashBlockTokens(parentB, [7, 8], 0, 2));
  });

  test('uses the high bits of a 53-bit parent', () => {
    const low = 12345;
    expect(hashBlockTokens(low, [5], 0, 1)).not.toBe(hashBlockTokens(low + 2 ** 40, [5], 0, 1));
  });

  test('is order-sensitive and reads only [start, end)', () => {
    expect(hashBlockTokens(0, [1, 2], 0, 2)).not.toBe(hashBlockTokens(0, [2, 1], 0, 2));
    expect(hashBlockTokens(0, [9, 1, 2, 9], 1, 3)).toBe(hashBlockTokens(0, [1, 2], 0, 2));
  });

  test('shows no collision over 20 000 distinct blocks', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) seen.add(hashBlockTokens(ROOT_BLOCK_HASH, [i, i >> 3, 7, i % 13], 0, 4));
    expect(seen.size).toBe(20_000);
  });
});

describe('ensureBlockHashes', () => {
  test('extends the memo lazily, chaining each block to the previous one', () => {
    let calls = 0;
    const hasher: BlockHasher = (parent, tokens, start, end) => {
      calls++;
      return hashBlockTokens(parent, tokens, start, end);
    };
    const sequence = { allTokenIds: [1, 2, 3, 4, 5, 6, 7], blockHashes: [] as number[] };
    ensureBlockHashes(sequence, 1, { blockSize: 2, hasher });
    ensureBlockHashes(sequence, 3, { blockSize: 2, hasher });
    ensureBlockHashes(sequence, 2, { blockSize: 2, hasher });
    expect(calls).toBe(3);
    const first = hashBlockTokens(ROOT_BLOCK_HASH, [1, 2], 0, 2);
    const second = hashBlockTokens(first, [3, 4], 0, 2);
    expect(sequence.blockHashes).toEqual([first, second, hashBlockTokens(second, [5, 6], 0, 2)]);
  });
});
