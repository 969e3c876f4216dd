import {
  KVCacheManager,
  NO_PREFIX_HIT,
  type KvCacheOptions,
  type KvRequest,
} from '../src/kv-cache-manager.js';

interface FakeRequest extends KvRequest {
  allTokenIds: number[];
  numComputedTokens: number;
}

function fakeRequest(requestId: string, tokens: number[]): FakeRequest {
  return { requestId, allTokenIds: tokens.slice(), numComputedTokens: 0, blockHashes: [], kvResidency: null };
}

function manager(options: Partial<KvCacheOptions> = {}): KVCacheManager {
  return new KVCacheManager({ numBlocks: 8, blockSize: 4, enablePrefixCaching: true, ...options });
}

/** Admits a request as the scheduler does (lookup, allocate the rest), then "computes" its whole sequence. */
function admitAndCompute(kv: KVCacheManager, request: FakeRequest): readonly number[] | null {
  const hit = kv.findCachedPrefix(request);
  const blocks = kv.allocateSlots(request, request.allTokenIds.length - hit.numTokens, hit);
  if (blocks === null) return null;
  request.numComputedTokens = request.allTokenIds.length;
  kv.cacheComputedBlocks(request);
  return blocks;
}

const range = (from: number, length: number): number[] => Array.from({ length }, (_, i) => from + i);

describe('allocateSlots', () => {
  test('allocates whole blocks as the sequence grows and nothing within a block', () => {
    const kv = manager();
    const r = fakeRequest('a', range(0, 5));
    expect(kv.allocateSlots(r, 5, NO_PREFIX_HIT)).toEqual([0, 1]);
    r.numComputedTokens = 5;
    expect(kv.allocateSlots(r, 3)).toEqual([]);
    r.numComputedTokens = 8;
    expect(kv.allocateSlots(r, 1)).toEqual([2]);
    expect(kv.blockTable('a')).toEqual([0, 1, 2]);
  });

  test('returns null and changes nothing when the pool is short', () => {
    const kv = manager({ numBlocks: 3 });
    const a = fakeRequest('a', range(0, 8));
    kv.allocateSlots(a, 8, NO_PREFIX_HIT);
    const b = fakeRequest('b', range(100, 8));
    expect(kv.allocateSlots(b, 8, NO_PREFIX_HIT)).toBeNull();
    expect(kv.blockTable('b')).toEqual([]);
    expect(kv.usage()).toMatchObject({ blocksUsed: 2, blocksFree: 1, prefixCacheQueries: 8 });
    a.numComputedTokens = 8;
    expect(kv.allocateSlots(a, 5)).toBeNull();
    expect(kv.blockTable('a')).toEqual([0, 1]);
    expect(kv.pool.numFree).toBe(1);
  });

  test('a prefix hit is only for a request that holds nothing', () => {
    const kv = manager();
    const r = fakeRequest('a', range(0, 4));
    kv.allocateSlots(r, 4, NO_PREFIX_HIT);
    expect(() => kv.allocateSlots(r, 1, NO_PREFIX_HIT)).toThrow(/already holds blocks/);
  });
});

describe('prefix caching', () => {
  test('a request sharing a prefix takes references on the cached blocks and skips their tokens', () => {
    const kv = manager();
    const a = fakeRequest('a', range(0, 10));
    admitAndCompute(kv, a);
    const b = fakeRequest('b', [...range(0, 8), 77, 78, 79]);
    const hit = kv.findCachedPrefix(b);
    expect(hit.numTokens).toBe(8);
    expect(hit.blocks.map((block) => block.id)).toEqual(kv.blockTable('a').slice(0, 2));
    expect(kv.allocateSlots(b, 3, hit)).toHaveLength(1);
    expect(hit.blocks.map((block) => block.refCount)).toEqual([2, 2]);
    expect(kv.requestUsage('b')).toEqual({ numBlocks: 3, numCachedTokens: 8 });
    expect(kv.usage()).toMatchObject({ prefixCacheQueries: 10 + 11, prefixCacheHits: 8 });
  });

  test('never serves the whole sequence: the last token is always left to compute', () => {
    const kv = manager();
    admitAndCompute(kv, fakeRequest('a', range(0, 12)));
    expect(kv.findCachedPrefix(fakeRequest('b', range(0, 8))).numTokens).toBe(4);
    expect(kv.findCachedPrefix(fakeRequest('c', range(0, 9))).numTokens).toBe(8);
    expect(kv.findCachedPrefix(fakeRequest('d', range(0, 3))).numTokens).toBe(0);
  });

  test('only full, computed blocks are cached', () => {
    const kv = manager();
    const a = fakeRequest('a', range(0, 10));
    kv.allocateSlots(a, 10, NO_PREFIX_HIT);
    a.numComputedTokens = 6;
    kv.cacheComputedBlocks(a);
    expect(kv.findCachedPrefix(fakeRequest('b', range(0, 10))).numTokens).toBe(4);
    a.numComputedTokens = 10;
    kv.cacheComputedBlocks(a);
    expect(kv.findCachedPrefix(fakeRequest('c', range(0, 10))).numTokens).toBe(8);
  });

  test('matches by chain: the same block tokens after a different prefix miss', () => {
    const kv = manager();
    admitAndCompute(kv, fakeRequest('a', [...range(0, 4), ...range(50, 4), 1]));
    const b = fakeRequest('b', [...range(10, 4), ...range(50, 4), 1]);
    expect(kv.findCachedPrefix(b).numTokens).toBe(0);
  });

  test('freed blocks stay cached (tail first in the free list) until allocation reuses them', () => {
    const kv = manager({ numBlocks: 4 });
    const a = fakeRequest('a', range(0, 9));
    admitAndCompute(kv, a);
    const table = kv.blockTable('a').slice();
    kv.free(a);
    expect(kv.pool.freeBlockIds()).toEqual([3, ...table.slice().reverse()]);
    expect(kv.findCachedPrefix(fakeRequest('b', range(0, 9))).numTokens).toBe(8);
    // Two fresh blocks: the never-used one, then a's tail block (partial, uncached).
    admitAndCompute(kv, fakeRequest('c', range(500, 8)));
    expect(kv.findCachedPrefix(fakeRequest('d', range(0, 9))).numTokens).toBe(8);
    // One more block must evict a's second block: the chain now stops after the first.
    admitAndCompute(kv, fakeRequest('e', range(900, 4)));
    expect(kv.findCachedPrefix(fakeRequest('f', range(0, 9))).numTokens).toBe(4);
  });

  test('counts hit blocks sitting in the free list against what allocation can use', () => {
    const kv = manager({ numBlocks: 4 });
    const a = fakeRequest('a', range(0, 8));
    admitAndCompute(kv, a);
    kv.free(a);
    const fits = fakeRequest('b', [...range(0, 8), ...range(40, 8)]);
    const tooBig = fakeRequest('c', [...range(0, 8), ...range(40, 9)]);
    const tooBigHit = kv.findCachedPrefix(tooBig);
    expect(tooBigHit.numTokens).toBe(8);
    expect(kv.allocateSlots(tooBig, 9, tooBigHit)).toBeNull();
    expect(kv.pool.numFree).toBe(4);
    expect(kv.usage().prefixCacheQueries).toBe(8); // a failed admission is not counted
    expect(kv.allocateSlots(fits, 8, kv.findCachedPrefix(fits))).toHaveLength(2);
    expect(kv.pool.numFree).toBe(0);
  });

  test('verifies tokens exactly: a hash that always collides never yields a wrong hit', () => {
    const kv = manager({ hasher: () => 1 });
    admitAndCompute(kv, fakeRequest('a', range(0, 9)));
    expect(kv.findCachedPrefix(fakeRequest('b', range(1, 9))).numTokens).toBe(0);
    expect(kv.findCachedPrefix(fakeRequest('c', [...range(0, 4), 9, 9, 9, 9, 9])).numTokens).toBe(4);
    expect(kv.findCachedPrefix(fakeRequest('d', range(0, 9))).numTokens).toBe(8);
  });

  test('when disabled, looks nothing up, caches nothing and counts nothing', () => {
    const kv = manager({ enablePrefixCaching: false });
    const a = fakeRequest('a', range(0, 9));
    admitAndCompute(kv, a);
    expect(kv.pool.blocks.some((block) => block.isCached)).toBe(false);
    expect(kv.findCachedPrefix(fakeRequest('b', range(0, 9)))).toBe(NO_PREFIX_HIT);
    expect(kv.usage()).toMatchObject({ prefixCacheQueries: 0, prefixCacheHits: 0 });
  });
});

describe('usage figures', () => {
  test('reports pool-wide and per-request figures', () => {
    const kv = manager({ numBlocks: 4 });
    const a = fakeRequest('a', range(0, 5));
    admitAndCompute(kv, a);
    expect(kv.usage()).toEqual({
      blocksUsed: 2,
      blocksFree: 2,
      blocksTotal: 4,
      usage: 0.5,
      prefixCacheQueries: 5,
      prefixCacheHits: 0,
    });
    expect(kv.requestUsage('a')).toEqual({ numBlocks: 2, numCachedTokens: 0 });
    kv.free(a);
    kv.free(a);
    expect(kv.requestUsage('a')).toEqual({ numBlocks: 0, numCachedTokens: 0 });
    expect(kv.usage().blocksUsed).toBe(0);
  });
});
