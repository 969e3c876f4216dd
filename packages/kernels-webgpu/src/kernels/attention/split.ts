/**
 * The split-context (flash-decoding) rule of {@link PagedAttentionKernel}: how
 * a single-token sequence's context is cut into chunks that separate
 * workgroups reduce in parallel before a log-sum-exp merge. The shader
 * evaluates the same rule (`chunk_keys` in `shaders/attention_common.wgsl`);
 * it depends on the sequence's own context length only, so a sequence's
 * result never depends on the rest of its batch.
 * @module
 */

/** Default keys per chunk: contexts up to this length are never split. */
export const DEFAULT_SPLIT_CHUNK = 512;

/** Default cap on chunks per sequence; longer contexts get longer chunks. */
export const DEFAULT_MAX_SPLIT = 16;

/** The split rule's parameters. */
export interface SplitRule {
  /** Keys per chunk before the cap applies. */
  readonly chunk: number;
  /** Most chunks per sequence (1 turns the split path off). */
  readonly maxSplit: number;
  /** Keys per step of the kernel's key loop: chunks are rounded up to whole steps. */
  readonly keysPerStep: number;
}

/**
 * Keys per chunk for a single-token sequence with `contextLen` keys:
 * `ceil(contextLen / min(maxSplit, ceil(contextLen / chunk)))`, rounded up to
 * a multiple of `keysPerStep`.
 */
export function chunkKeys(contextLen: number, rule: SplitRule): number {
  const chunks = Math.min(rule.maxSplit, Math.ceil(contextLen / rule.chunk));
  const per = Math.ceil(contextLen / chunks);
  return Math.ceil(per / rule.keysPerStep) * rule.keysPerStep;
}

/** How many chunks a single-token sequence with `contextLen` keys is split into (1: not split). */
export function splitChunks(contextLen: number, rule: SplitRule): number {
  return Math.ceil(contextLen / chunkKeys(contextLen, rule));
}

/** Chunk slots a batch whose contexts are all at most `maxContextLen` needs. */
export function chunkSlots(maxContextLen: number, rule: SplitRule): number {
  return Math.max(1, Math.min(rule.maxSplit, Math.ceil(maxContextLen / rule.chunk)));
}
