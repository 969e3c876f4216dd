/**
 * Per-request block tables on top of the block pool: prefix lookup, slot
 * allocation (all or nothing), registration of computed blocks in the prefix
 * cache, and the usage figures that metrics and step tracing read.
 */
import { BlockPool, type BlockPoolView } from './block-pool.js';
import type { BlockKey, KvBlock } from './kv-block.js';
import { ensureBlockHashes, hashBlockTokens, type BlockHasher, type HashScheme } from './prefix-hash.js';

/** Construction options. */
export interface KvCacheOptions {
  /** Blocks in the pool. */
  readonly numBlocks: number;
  /** Tokens per block. */
  readonly blockSize: number;
  /** Reuse computed full blocks across requests with a common prefix. */
  readonly enablePrefixCaching: boolean;
  /** Block hash function; replaceable for tests and experiments (e.g. to force collisions). */
  readonly hasher?: BlockHasher;
}

/** What the KV cache needs to know about a request. */
export interface KvRequest {
  /** Key of the block table. */
  readonly requestId: string;
  /** The request's tokens (prompt ++ outputs); append-only, since cached blocks refer to ranges of it. */
  readonly allTokenIds: readonly number[];
  /** Tokens whose KV entries exist. */
  readonly numComputedTokens: number;
  /** True when the request must compute every token (no prefix-cache reads). */
  readonly skipPrefixCache?: boolean;
  /** Hash memo the cache extends in place (see `ensureBlockHashes`). */
  readonly blockHashes: number[];
  /**
   * The cache's handle on the blocks this request holds, kept on the request so
   * the per-step path needs no lookup by id; null while it holds none. Only the
   * cache writes it.
   */
  kvResidency: KvResidency | null;
}

/** Result of a prefix lookup; valid only until the pool next changes. */
export interface PrefixHit {
  /** The matched cached blocks, in order. */
  readonly blocks: readonly KvBlock[];
  /** Tokens they cover: `blocks.length × blockSize`. */
  readonly numTokens: number;
}

/** The empty prefix hit. */
export const NO_PREFIX_HIT: PrefixHit = Object.freeze({ blocks: Object.freeze([]), numTokens: 0 });

/** Pool-wide usage figures; prefix-cache counts are in tokens, as vLLM counts them. */
export interface KvCacheUsage {
  /** Blocks held by at least one request. */
  readonly blocksUsed: number;
  /** Blocks in the free list (some of them still cached and reusable). */
  readonly blocksFree: number;
  /** Blocks in the pool. */
  readonly blocksTotal: number;
  /** blocksUsed / blocksTotal, in [0, 1]. */
  readonly usage: number;
  /** Tokens looked up in the prefix cache (a request's whole sequence per admission), cumulative. */
  readonly prefixCacheQueries: number;
  /** Tokens served from the prefix cache, cumulative. */
  readonly prefixCacheHits: number;
}

/** One request's footprint, for step tracing. */
export interface RequestKvUsage {
  /** Blocks in its table. */
  readonly numBlocks: number;
  /** Tokens served from the prefix cache when this residency started. */
  readonly numCachedTokens: number;
}

/** Read-only view of the KV cache, for inspection. */
export interface KvCacheView {
  /** The block pool. */
  readonly pool: BlockPoolView;
  /** The request's block table; valid until its next allocation or free. */
  blockTable(requestId: string): readonly number[];
  /** The request's footprint. */
  requestUsage(requestId: string): RequestKvUsage;
  /** Pool-wide figures. */
  usage(): KvCacheUsage;
}

/** Blocks a request holds during one residency (admission to preemption or finish); owned by the cache. */
export interface KvResidency {
  /** The block table. */
  readonly blockIds: number[];
  /** Leading blocks already registered in the prefix cache. */
  numRegistered: number;
  /** Tokens the residency started with from the prefix cache. */
  readonly numCachedTokens: number;
}

const NO_BLOCKS: readonly number[] = Object.freeze([]);

/** Block tables, prefix caching and usage accounting over one block pool. */
export class KVCacheManager implements KvCacheView {
  readonly pool: BlockPool;
  readonly blockSize: number;
  readonly enablePrefixCaching: boolean;
  readonly #scheme: HashScheme;
  /** Scratch key for lookups and registrations (the pool never keeps it), so neither allocates. */
  readonly #key: BlockKey = { hash: 0, parentGeneration: 0, tokenIds: NO_BLOCKS, start: 0 };
  /** The same residencies by id, for inspection. */
  readonly #residencies = new Map<string, KvResidency>();
  #prefixQueries = 0;
  #prefixHits = 0;

  /** Creates an empty cache over a fresh pool. */
  constructor(options: KvCacheOptions) {
    this.pool = new BlockPool(options.numBlocks, options.blockSize);
    this.blockSize = options.blockSize;
    this.enablePrefixCaching = options.enablePrefixCaching;
    this.#scheme = { blockSize: options.blockSize, hasher: options.hasher ?? hashBlockTokens };
  }

  /** Cumulative prefix-cache lookups, in tokens. */
  get prefixCacheQueries(): number {
    return this.#prefixQueries;
  }

  /** Cumulative prefix-cache hits, in tokens. */
  get prefixCacheHits(): number {
    return this.#prefixHits;
  }

  /**
   * The longest run of cached full blocks matching the request's tokens from
   * the start, leaving at least the last token uncomputed so the model has a
   * position to sample from. Pure: takes no references and counts no stats.
   */
  findCachedPrefix(request: KvRequest): PrefixHit {
    if (!this.enablePrefixCaching || request.skipPrefixCache) return NO_PREFIX_HIT;
    const maxBlocks = Math.floor((request.allTokenIds.length - 1) / this.blockSize);
    const blocks: KvBlock[] = [];
    const key = this.#key;
    key.tokenIds = request.allTokenIds;
    key.parentGeneration = 0;
    for (let i = 0; i < maxBlocks; i++) {
      ensureBlockHashes(request, i + 1, this.#scheme);
      key.hash = request.blockHashes[i]!;
      key.start = i * this.blockSize;
      const block = this.pool.lookup(key);
      if (block === null) break;
      blocks.push(block);
      key.parentGeneration = block.generation;
    }
    return blocks.length === 0 ? NO_PREFIX_HIT : { blocks, numTokens: blocks.length * this.blockSize };
  }

  /**
   * Makes room for `numNewTokens` more tokens and returns the ids of the blocks
   * added, or null when the pool cannot supply them, in which case nothing at
   * all changed. Pass `hit` (possibly {@link NO_PREFIX_HIT}) when the request
   * starts a residency: its blocks are then taken first and the lookup counted
   * in the prefix-cache figures.
   */
  allocateSlots(request: KvRequest, numNewTokens: number, hit?: PrefixHit): readonly number[] | null {
    const residency = request.kvResidency;
    if (residency !== null) {
      if (hit !== undefined) {
        throw new Error(
          `request ${request.requestId} already holds blocks; a prefix hit applies only at admission`,
        );
      }
      return this.#grow(residency, request.numComputedTokens + numNewTokens);
    }
    const start = hit ?? NO_PREFIX_HIT;
    const numTokens = start.numTokens + numNewTokens;
    const needed = Math.ceil(numTokens / this.blockSize) - start.blocks.length;
    if (needed > this.pool.numFree - countEvictable(start.blocks)) return null;
    return this.#grow(this.#startResidency(request, start), numTokens);
  }

  /** Registers the request's newly completed full blocks in the prefix cache; call after the model computed them. */
  cacheComputedBlocks(request: KvRequest): void {
    const residency = request.kvResidency;
    if (!this.enablePrefixCaching || residency === null) return;
    const table = residency.blockIds;
    const full = Math.min(Math.floor(request.numComputedTokens / this.blockSize), table.length);
    if (residency.numRegistered >= full) return;
    ensureBlockHashes(request, full, this.#scheme);
    const blocks = this.pool.blocks;
    const key = this.#key;
    key.tokenIds = request.allTokenIds;
    for (let i = residency.numRegistered; i < full; i++) {
      key.hash = request.blockHashes[i]!;
      key.parentGeneration = i === 0 ? 0 : blocks[table[i - 1]!]!.generation;
      key.start = i * this.blockSize;
      this.pool.register(blocks[table[i]!]!, key);
    }
    residency.numRegistered = full;
  }

  /** Releases every block the request holds, tail first so its prefix blocks stay cached the longest. */
  free(request: KvRequest): void {
    const residency = request.kvResidency;
    if (residency === null) return;
    const table = residency.blockIds;
    for (let i = table.length - 1; i >= 0; i--) this.pool.release(this.pool.blocks[table[i]!]!);
    request.kvResidency = null;
    this.#residencies.delete(request.requestId);
  }

  /** The request's block table (the per-step path's variant of {@link blockTable}). */
  blockTableOf(request: KvRequest): readonly number[] {
    return request.kvResidency?.blockIds ?? NO_BLOCKS;
  }

  blockTable(requestId: string): readonly number[] {
    return this.#residencies.get(requestId)?.blockIds ?? NO_BLOCKS;
  }

  requestUsage(requestId: string): RequestKvUsage {
    const residency = this.#residencies.get(requestId);
    if (residency === undefined) return { numBlocks: 0, numCachedTokens: 0 };
    return { numBlocks: residency.blockIds.length, numCachedTokens: residency.numCachedTokens };
  }

  usage(): KvCacheUsage {
    const total = this.pool.numTotal;
    const used = total - this.pool.numFree;
    return {
      blocksUsed: used,
      blocksFree: this.pool.numFree,
      blocksTotal: total,
      usage: used / total,
      prefixCacheQueries: this.#prefixQueries,
      prefixCacheHits: this.#prefixHits,
    };
  }

  /** Extends the table to cover `numTokens` tokens; null (and no change) when the pool is short. */
  #grow(residency: KvResidency, numTokens: number): readonly number[] | null {
    const table = residency.blockIds;
    const needed = Math.ceil(numTokens / this.blockSize) - table.length;
    if (needed <= 0) return NO_BLOCKS;
    if (needed > this.pool.numFree) return null;
    const first = table.length;
    this.pool.allocate(needed, table);
    return table.slice(first);
  }

  #startResidency(request: KvRequest, hit: PrefixHit): KvResidency {
    const residency: KvResidency = {
      blockIds: [],
      numRegistered: hit.blocks.length,
      numCachedTokens: hit.numTokens,
    };
    for (const block of hit.blocks) {
      this.pool.retain(block);
      residency.blockIds.push(block.id);
    }
    if (this.enablePrefixCaching) {
      this.#prefixQueries += request.allTokenIds.length;
      this.#prefixHits += hit.numTokens;
    }
    request.kvResidency = residency;
    this.#residencies.set(request.requestId, residency);
    return residency;
  }
}

/** Hit blocks nobody holds: they sit in the free list, so taking them shrinks what allocation can use. */
function countEvictable(blocks: readonly KvBlock[]): number {
  let count = 0;
  for (const block of blocks) if (block.refCount === 0) count++;
  return count;
}
