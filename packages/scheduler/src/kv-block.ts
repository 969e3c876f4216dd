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
  /** The block's tokens while cached (kept for exact verification), else null. */
  readonly tokenIds: readonly number[] | null;
}

/** A block with its bookkeeping; owned by the block pool. */
export class KvBlock implements KvBlockView {
  readonly id: number;
  refCount = 0;
  hash = 0;
  tokenIds: readonly number[] | null = null;
  /** Unique stamp given when the block is registered in the prefix cache; 0 when not cached. */
  generation = 0;
  /** The parent block's generation at registration (0 for a first block): pins the exact prefix. */
  parentGeneration = 0;
  /** Free-list neighbours; both null while the block is held. */
  prev: KvBlock | null = null;
  next: KvBlock | null = null;
  /** Next cached block sharing this hash (collision chain). */
  nextSameHash: KvBlock | null = null;

  /** Creates an uncached, unreferenced block. */
  constructor(id: number) {
    this.id = id;
  }

  get isCached(): boolean {
    return this.generation !== 0;
  }
}
