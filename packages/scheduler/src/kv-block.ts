/**
 * One KV-cache block: a fixed run of token slots in the paged KV memory. The
 * links live on the block itself (an intrusive list), so freeing, evicting and
 * re-taking a block never allocates or shifts an array.
 */

/** What inspectors (tests, tracing) may read about a block. */
export interface KvBlockView {
  /** Index into the paged KV memory. */
  readonly id: number;
  /** Requests holding the block; 0 means it sits in the free list. */
  readonly refCount: number;
  /** True while the block is registered in the prefix cache. */
  readonly isCached: boolean;
  /** The prefix hash while cached. */
  readonly hash: number;
}

/**
 * A full block's identity in the prefix cache: its chained hash, its parent
 * block, and its tokens as a range of an append-only sequence (so the cache
 * keeps a reference to the sequence, not a copy of the tokens).
 */
export interface BlockKey {
  /** Chained prefix hash (see `hashBlockTokens`). */
  hash: number;
  /** The parent block's registration stamp (0 for a sequence's first block). */
  parentGeneration: number;
  /** The sequence holding the tokens; it must never change below its current length. */
  tokenIds: readonly number[];
  /** Index of the block's first token in `tokenIds`. */
  start: number;
}

/** A block with its bookkeeping; owned by the block pool. */
export class KvBlock implements KvBlockView {
  readonly id: number;
  refCount = 0;
  hash = 0;
  /** Unique stamp given when the block is registered in the prefix cache; 0 when not cached. */
  generation = 0;
  /** The parent block's generation at registration: pins the exact prefix. */
  parentGeneration = 0;
  /** While cached: the sequence holding the block's tokens, and where they start in it. */
  tokenSource: readonly number[] | null = null;
  tokenStart = 0;
  /** Free-list neighbours; both null while the block is held. */
  prev: KvBlock | null = null;
  next: KvBlock | null = null;
  /** Next cached block in the same index bucket (hash collisions included). */
  nextSameHash: KvBlock | null = null;

  /** Creates an uncached, unreferenced block. */
  constructor(id: number) {
    this.id = id;
  }

  get isCached(): boolean {
    return this.generation !== 0;
  }
}
