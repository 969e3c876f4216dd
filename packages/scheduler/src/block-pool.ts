/**
 * The pool of KV blocks: reference counts, the LRU free list and the prefix
 * cache index. A block whose last reference goes away keeps its cache entry and
 * waits in the free list, still reusable by a later request with the same
 * prefix, until allocation takes it from the head of the list and evicts it.
 */
import { FreeBlockList } from './free-block-list.js';
import { KvBlock, type BlockKey, type KvBlockView } from './kv-block.js';

/** Read-only view of the pool, for inspection. */
export interface BlockPoolView {
  /** Every block, indexed by id. */
  readonly blocks: readonly KvBlockView[];
  /** Blocks in the pool. */
  readonly numTotal: number;
  /** Blocks with no reference (including cached ones that can be evicted). */
  readonly numFree: number;
  /** Free-list order, head (next to be taken) first. */
  freeBlockIds(): number[];
}

/** Fixed-size pool of blocks with reference counting and an exact prefix-cache index. */
export class BlockPool implements BlockPoolView {
  readonly blocks: readonly KvBlock[];
  /** Tokens per block. */
  readonly blockSize: number;
  readonly #free: FreeBlockList;
  /**
   * Cache index: bucket of the hash (see {@link bucketOf}) → most recently
   * registered block in it; the others follow `nextSameHash`.
   */
  readonly #cached = new Map<number, KvBlock>();
  #nextGeneration = 1;

  /** Creates `numBlocks` free, uncached blocks of `blockSize` tokens. */
  constructor(numBlocks: number, blockSize: number) {
    this.blockSize = blockSize;
    this.blocks = Array.from({ length: numBlocks }, (_, id) => new KvBlock(id));
    this.#free = new FreeBlockList(this.blocks);
  }

  get numTotal(): number {
    return this.blocks.length;
  }

  get numFree(): number {
    return this.#free.length;
  }

  freeBlockIds(): number[] {
    return this.#free.ids();
  }

  /** Takes `count` blocks from the head of the free list (evicting their cache entries) and appends their ids to `out`. */
  allocate(count: number, out: number[]): void {
    if (count > this.#free.length) {
      throw new RangeError(`cannot allocate ${count} blocks: only ${this.#free.length} free`);
    }
    for (let i = 0; i < count; i++) {
      const block = this.#free.popFront()!;
      if (block.generation !== 0) this.#evict(block);
      block.refCount = 1;
      out.push(block.id);
    }
  }

  /** Takes a reference on a cached block found by {@link lookup}, pulling it off the free list if nobody held it. */
  retain(block: KvBlock): void {
    if (block.refCount === 0) this.#free.remove(block);
    block.refCount++;
  }

  /** Drops a reference; an unreferenced block joins the free-list tail and keeps its cache entry. */
  release(block: KvBlock): void {
    if (block.refCount <= 0) throw new Error(`block ${block.id} released more often than taken`);
    if (--block.refCount === 0) this.#free.pushBack(block);
  }

  /**
   * Registers a held, fully computed block in the prefix cache under `key`,
   * remembering its parent and where its tokens are, so lookups verify exactly.
   * The key object itself is not kept.
   */
  register(block: KvBlock, key: BlockKey): void {
    if (block.generation !== 0) throw new Error(`block ${block.id} is already cached`);
    const { hash } = key;
    block.hash = hash;
    block.tokenSource = key.tokenIds;
    block.tokenStart = key.start;
    block.parentGeneration = key.parentGeneration;
    block.generation = this.#nextGeneration++;
    const bucket = bucketOf(hash);
    block.nextSameHash = this.#cached.get(bucket) ?? null;
    this.#cached.set(bucket, block);
  }

  /**
   * The cached block matching `key` exactly (hash, parent and every token), or
   * null. Hash collisions are rejected by the exact comparison.
   */
  lookup(key: BlockKey): KvBlock | null {
    const { hash, parentGeneration } = key;
    for (let block = this.#cached.get(bucketOf(hash)) ?? null; block !== null; block = block.nextSameHash) {
      if (
        block.hash === hash &&
        block.parentGeneration === parentGeneration &&
        this.#sameTokens(block, key)
      ) {
        return block;
      }
    }
    return null;
  }

  #sameTokens(block: KvBlock, key: BlockKey): boolean {
    const source = block.tokenSource!;
    const from = block.tokenStart;
    const { tokenIds, start } = key;
    if (source === tokenIds && from === start) return true;
    if (start + this.blockSize > tokenIds.length) return false;
    for (let i = 0; i < this.blockSize; i++) {
      if (source[from + i] !== tokenIds[start + i]) return false;
    }
    return true;
  }

  #evict(block: KvBlock): void {
    const bucket = bucketOf(block.hash);
    const head = this.#cached.get(bucket)!;
    if (head === block) {
      if (block.nextSameHash === null) this.#cached.delete(bucket);
      else this.#cached.set(bucket, block.nextSameHash);
    } else {
      let prev = head;
      while (prev.nextSameHash !== block) prev = prev.nextSameHash!;
      prev.nextSameHash = block.nextSameHash;
    }
    block.nextSameHash = null;
    block.tokenSource = null;
    block.tokenStart = 0;
    block.generation = 0;
    block.parentGeneration = 0;
    block.hash = 0;
  }
}

/**
 * Folds a 53-bit hash to 30 bits so Map keys stay small integers (V8 Smis)
 * rather than boxed doubles; blocks sharing a bucket are told apart by their
 * full hash, parent and tokens.
 */
function bucketOf(hash: number): number {
  return hash & 0x3fffffff;
}
