/**
 * Prefix hashes for full KV blocks. A block's hash chains its parent's hash with
 * its own token ids, so equal hashes mean (almost surely) equal prefixes. The
 * hash is only an index: the block pool stores every cached block's tokens and
 * parent link and verifies them exactly, so a collision costs a miss, never a
 * wrong output.
 */

/** Parent hash of a request's first block. */
export const ROOT_BLOCK_HASH = 0;

/** Hashes tokens `[start, end)` of `tokenIds` under `parentHash`; must return a safe integer. */
export type BlockHasher = (
  parentHash: number,
  tokenIds: readonly number[],
  start: number,
  end: number,
) => number;

/**
 * Two 32-bit multiply-xorshift lanes (cyrb53's mixing) folded into 53 bits:
 * fast, non-cryptographic and exact in a JS number.
 */
export const hashBlockTokens: BlockHasher = (parentHash, tokenIds, start, end) => {
  let h1 = 0xdeadbeef ^ (parentHash >>> 0);
  let h2 = 0x41c6ce57 ^ Math.floor(parentHash / 0x100000000);
  for (let i = start; i < end; i++) {
    const token = tokenIds[i]!;
    h1 = Math.imul(h1 ^ token, 2654435761);
    h2 = Math.imul(h2 ^ token, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 0x100000000 * (0x1fffff & h2) + (h1 >>> 0);
};

/** The token sequence and hash memo of one request. */
export interface HashedSequence {
  /** The request's tokens; only full blocks are hashed. */
  readonly allTokenIds: readonly number[];
  /** Memo of chained hashes, one per full block, extended in place. */
  readonly blockHashes: number[];
}

/** How a KV cache cuts and hashes sequences. */
export interface HashScheme {
  /** Tokens per block. */
  readonly blockSize: number;
  /** The block hash function. */
  readonly hasher: BlockHasher;
}

/** Extends `sequence.blockHashes` to cover its first `numBlocks` blocks (which must be full). */
export function ensureBlockHashes(sequence: HashedSequence, numBlocks: number, scheme: HashScheme): void {
  const hashes = sequence.blockHashes;
  const size = scheme.blockSize;
  for (let i = hashes.length; i < numBlocks; i++) {
    const parent = i === 0 ? ROOT_BLOCK_HASH : hashes[i - 1]!;
    hashes.push(scheme.hasher(parent, sequence.allTokenIds, i * size, (i + 1) * size));
  }
}
