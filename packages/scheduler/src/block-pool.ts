/**
 * The pool of KV blocks: reference counts, the LRU free list and the prefix
 * cache index. A block whose last reference goes away keeps its cache entry and
 * waits in the free list, still reusable by a later request with the same
 * prefix, until allocation takes it from the head of the list and evicts it.
 */
import { FreeBlockList } from './free-block-list.js';
import { KvBlock, type KvBlockView } from './kv-block.js';

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
  readonly #free: FreeBlockList;
  /** hash → most recently registered block with that hash; older ones follow `nextSameHash`. */
  readonly #cached = new Map<number, KvBlock>();
  #nextGeneration = 1;

  /** Creates `numBlocks` free, uncached blocks. */
  constructor(numBlocks: number) {
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
   * Registers a held, fully computed block in the prefix cache under `hash`,
   * storing its tokens and its parent's generation so lookups can verify exactly.
   */
  register(block: KvBlock, hash: number, tokenIds: readonly number[], parentGeneration: number): void {
    if (block.generation !== 0) throw new Error(`block ${block.id} is already cached`);
    block.hash = hash;
    block.tokenIds = tokenIds;
    block.parentGeneration = parentGeneration;
    block.generation = this.#nextGeneration++;
    block.nextSameHash = this.#cached.get(hash) ?? null;
    this.#cached.set(hash, block);
  }

  /**
   * The cached block whose hash is `hash`, whose parent is the block with
   * `parentGeneration`, and whose tokens equal `tokenIds[start, start + blockSize)`;
   * null if none. Hash collisions are rejected by the exact comparison.
   */
  lookup(hash: number, tokenIds: readonly number[], start: number, parentGeneration: number): KvBlock | null {
    for (let block = this.#cached.get(hash) ?? null; block !== null; block = block.nextSameHash) {
      if (block.parentGeneration === parentGeneration && sameTokens(block.tokenIds!, tokenIds, start)) {
        return block;
      }
    }
    return null;
  }

  #evict(block: KvBlock): void {
    const head = this.#cached.get(block.hash)!;
    if (head === block) {
      if (block.nextSameHash === null) this.#cached.delete(block.hash);
      else this.#cached.set(block.hash, block.nextSameHash);
    } else {
      let prev = head;
      while (prev.nextSameHash !== block) prev = prev.nextSameHash!;
      prev.nextSameHash = block.nextSameHash;
    }
    block.nextSameHash = null;
    block.tokenIds = null;
    block.generation = 0;
    block.parentGeneration = 0;
    block.hash = 0;
  }
}

function sameTokens(cached: readonly number[], tokenIds: readonly number[], start: number): boolean {
  if (start + cached.length > tokenIds.length) return false;
  for (let i = 0; i < cached.length; i++) {
    if (cached[i] !== tokenIds[start + i]) return false;
  }
  return true;
}
