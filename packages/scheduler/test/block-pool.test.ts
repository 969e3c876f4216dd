import { BlockPool } from '../src/block-pool.js';
import type { BlockKey } from '../src/kv-block.js';

/** A key for the 2-token block at `start` of `tokenIds`. */
const key = (hash: number, tokenIds: number[], start = 0, parentGeneration = 0): BlockKey => ({
  hash,
  tokenIds,
  start,
  parentGeneration,
});

function held(pool: BlockPool, count: number): number[] {
  const ids: number[] = [];
  pool.allocate(count, ids);
  return ids;
}

describe('BlockPool reference counts and LRU free list', () => {
  test('starts with every block free, in id order', () => {
    const pool = new BlockPool(4, 2);
    expect(pool.numFree).toBe(4);
    expect(pool.freeBlockIds()).toEqual([0, 1, 2, 3]);
  });

  test('allocates from the head with one reference and frees to the tail', () => {
    const pool = new BlockPool(4, 2);
    expect(held(pool, 2)).toEqual([0, 1]);
    expect(pool.blocks[0]!.refCount).toBe(1);
    pool.release(pool.blocks[1]!);
    pool.release(pool.blocks[0]!);
    expect(pool.freeBlockIds()).toEqual([2, 3, 1, 0]);
    expect(held(pool, 3)).toEqual([2, 3, 1]);
  });

  test('refuses to allocate more than is free, taking nothing', () => {
    const pool = new BlockPool(2, 2);
    expect(() => held(pool, 3)).toThrow(/only 2 free/);
    expect(pool.numFree).toBe(2);
  });

  test('retain pulls an unreferenced block off the free list; release puts it back at zero', () => {
    const pool = new BlockPool(3, 2);
    const block = pool.blocks[1]!;
    pool.retain(block);
    pool.retain(block);
    expect(block.refCount).toBe(2);
    expect(pool.freeBlockIds()).toEqual([0, 2]);
    pool.release(block);
    expect(pool.freeBlockIds()).toEqual([0, 2]);
    pool.release(block);
    expect(pool.freeBlockIds()).toEqual([0, 2, 1]);
  });

  test('releasing an unreferenced block throws', () => {
    const pool = new BlockPool(1, 2);
    expect(() => pool.release(pool.blocks[0]!)).toThrow(/released more often/);
  });
});

describe('BlockPool prefix cache index', () => {
  test('finds a registered block only with equal tokens and the same parent', () => {
    const pool = new BlockPool(4, 2);
    const [id] = held(pool, 1);
    const block = pool.blocks[id!]!;
    pool.register(block, key(42, [1, 2]));
    expect(block.isCached).toBe(true);
    expect(pool.lookup(key(42, [9, 1, 2], 1))).toBe(block);
    expect(pool.lookup(key(42, [1, 3]))).toBeNull(); // same hash, other tokens: a collision is a miss
    expect(pool.lookup(key(42, [1, 2], 0, block.generation + 1))).toBeNull(); // other parent
    expect(pool.lookup(key(43, [1, 2]))).toBeNull();
    expect(pool.lookup(key(42, [1]))).toBeNull(); // sequence too short
  });

  test('keeps colliding blocks apart and finds each', () => {
    const pool = new BlockPool(3, 2);
    const [a, b] = held(pool, 2).map((id) => pool.blocks[id]!);
    pool.register(a!, key(7, [1, 1]));
    pool.register(b!, key(7, [2, 2]));
    expect(pool.lookup(key(7, [1, 1]))).toBe(a);
    expect(pool.lookup(key(7, [2, 2]))).toBe(b);
  });

  test('keeps a reference to the token range, not the key object', () => {
    const pool = new BlockPool(1, 2);
    const block = pool.blocks[held(pool, 1)[0]!]!;
    const sequence = [5, 6, 7, 8];
    const registered = key(3, sequence, 2);
    pool.register(block, registered);
    registered.start = 0;
    registered.hash = 99;
    expect(pool.lookup(key(3, [7, 8]))).toBe(block);
  });

  test('a freed cached block stays findable until allocation evicts it', () => {
    const pool = new BlockPool(2, 2);
    const [a, b] = held(pool, 2).map((id) => pool.blocks[id]!);
    pool.register(a!, key(7, [1, 1]));
    pool.register(b!, key(7, [2, 2]));
    pool.release(a!);
    pool.release(b!);
    expect(pool.lookup(key(7, [1, 1]))).toBe(a);
    expect(held(pool, 1)).toEqual([a!.id]); // LRU head: a goes first, and loses its entry
    expect(a!.isCached).toBe(false);
    expect(pool.lookup(key(7, [1, 1]))).toBeNull();
    expect(pool.lookup(key(7, [2, 2]))).toBe(b);
    held(pool, 1);
    expect(pool.lookup(key(7, [2, 2]))).toBeNull();
  });

  test('evicts a block from the middle of a collision chain', () => {
    const pool = new BlockPool(3, 2);
    const blocks = held(pool, 3).map((id) => pool.blocks[id]!);
    blocks.forEach((block, i) => pool.register(block, key(5, [i, i])));
    pool.release(blocks[1]!);
    held(pool, 1);
    expect(pool.lookup(key(5, [0, 0]))).toBe(blocks[0]);
    expect(pool.lookup(key(5, [1, 1]))).toBeNull();
    expect(pool.lookup(key(5, [2, 2]))).toBe(blocks[2]);
  });

  test('registering an already cached block throws', () => {
    const pool = new BlockPool(1, 2);
    const block = pool.blocks[held(pool, 1)[0]!]!;
    pool.register(block, key(1, [1, 1]));
    expect(() => pool.register(block, key(2, [2, 2]))).toThrow(/already cached/);
  });
});
