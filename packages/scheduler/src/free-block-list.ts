/**
 * The free list: a doubly-linked list of unreferenced blocks in LRU order.
 * Freed blocks join at the tail and allocation takes from the head, so a cached
 * block is evicted only after every block freed before it. All operations are
 * O(1) through links stored on the blocks.
 */
import { KvBlock } from './kv-block.js';

/** Intrusive LRU list of free blocks, bracketed by two sentinels. */
export class FreeBlockList {
  readonly #head = new KvBlock(-1);
  readonly #tail = new KvBlock(-1);
  #length = 0;

  /** Starts with `blocks` in order (head first). */
  constructor(blocks: readonly KvBlock[]) {
    this.#head.next = this.#tail;
    this.#tail.prev = this.#head;
    for (const block of blocks) this.pushBack(block);
  }

  /** Blocks in the list. */
  get length(): number {
    return this.#length;
  }

  /** True when `block` is in the list. */
  has(block: KvBlock): boolean {
    return block.prev !== null;
  }

  /** Appends `block` at the tail (most recently freed). */
  pushBack(block: KvBlock): void {
    const last = this.#tail.prev!;
    block.prev = last;
    block.next = this.#tail;
    last.next = block;
    this.#tail.prev = block;
    this.#length++;
  }

  /** Removes and returns the head (least recently freed), or null when empty. */
  popFront(): KvBlock | null {
    const first = this.#head.next!;
    if (first === this.#tail) return null;
    this.remove(first);
    return first;
  }

  /** Unlinks `block`, which must be in the list. */
  remove(block: KvBlock): void {
    block.prev!.next = block.next;
    block.next!.prev = block.prev;
    block.prev = null;
    block.next = null;
    this.#length--;
  }

  /** Block ids head to tail; O(n), for inspection and tests. */
  ids(): number[] {
    const ids: number[] = [];
    for (let b = this.#head.next!; b !== this.#tail; b = b.next!) ids.push(b.id);
    return ids;
  }
}
