/**
 * Builds the paged-attention pipelines: `const` specialisations, then
 * `shaders/attention_common.wgsl`, then either the split-path merge or the
 * tile snippet and one attention body.
 * @module
 */
import { loadShader, type BindingKind, type Kernel, type KernelContext } from '../../context.js';

/**
 * `single`: the attention body run for single-token (decode) sequences, split
 * over context chunks; `multi`: the body run for sequences with more query
 * tokens; `merge`: the split path's log-sum-exp merge.
 */
export type AttentionBody = 'single' | 'multi' | 'merge';

/**
 * How a workgroup's lanes share the work. `keys`: each lane owns every
 * WG-th key and whole query rows (`shaders/attention_keys.wgsl`), best for
 * narrow heads. `dims`: lanes split the head dimension and take the keys in
 * steps (`shaders/attention_dims.wgsl`), for wide heads, whose whole rows
 * would take lavapipe's compiler minutes to unroll.
 */
export type AttentionLayout = 'keys' | 'dims';

/** Compile-time shape of an attention pipeline. */
export interface AttentionShape {
  readonly layout: AttentionLayout;
  readonly headDim: number;
  /** Query heads per kv head. */
  readonly group: number;
  /** Query heads of the group per workgroup (divides `group`). */
  readonly heads: number;
  /** Query tokens per workgroup tile (1 for `single` and `merge`). */
  readonly tileTokens: number;
  /** Lanes per workgroup, a power of two. */
  readonly lanes: number;
  /** `dims`: keys per step of the key loop (a multiple of lanes); `keys`: equal to lanes. */
  readonly keysPerStep: number;
}

/**
 * `dims` layout: lanes across the head dimension, the largest power of two
 * that divides headDim / 4 and is at most `lanes`; the other lanes take
 * other keys.
 */
export function dimLanes(headDim: number, lanes: number): number {
  let dl = 1;
  while (dl * 2 <= lanes && (headDim / 4) % (dl * 2) === 0) dl *= 2;
  return dl;
}

/** Workgroup memory the body of `shape` declares. */
export function workgroupBytes(shape: AttentionShape): number {
  const rows = shape.tileTokens * shape.heads;
  if (shape.layout === 'keys') return shape.lanes * (8 + shape.headDim * 4);
  const dl = dimLanes(shape.headDim, shape.lanes);
  // partial_dots and weights, three per-row values, tile_rows
  return 4 * (rows * shape.keysPerStep * (dl + 1) + 3 * rows + (shape.lanes * rows * shape.headDim) / dl);
}

// q, k_cache, v_cache, query_start, context_lens, block_tables, out, partials:
// every body shares one binding list, unused entries included.
const BINDINGS: readonly BindingKind[] = [
  ...Array<BindingKind>(6).fill('read-only-storage'),
  'storage',
  'storage',
];

/**
 * The pipeline for `body`, cached under a key naming every choice. The shape
 * becomes WGSL `const`s rather than overrides because it sizes function-scope
 * arrays, which must be const-expressions.
 */
export function attentionPipeline(ctx: KernelContext, body: AttentionBody, shape: AttentionShape): Kernel {
  const { layout, headDim, group, heads, tileTokens, lanes, keysPerStep } = shape;
  const key = `attention:${body}:${layout}:d${headDim}:g${group}:h${heads}:t${tileTokens}:wg${lanes}:k${keysPerStep}`;
  return ctx.kernel(key, () => ({
    code: [
      `const HEAD_DIM = ${headDim}u;`,
      `const GROUP = ${group}u;`,
      `const HEADS = ${heads}u;`,
      `const TILE_TOKENS = ${tileTokens}u;`,
      `const WG = ${lanes}u;`,
      `const DL = ${dimLanes(headDim, lanes)}u;`,
      `const KEYS_PER_STEP = ${keysPerStep}u;`,
      `const SINGLE = ${body === 'single'};`,
      loadShader('attention_common'),
      ...(body === 'merge'
        ? [loadShader('attention_merge')]
        : [loadShader('attention_tile'), loadShader(`attention_${layout}`)]),
    ].join('\n'),
    bindings: BINDINGS,
  }));
}
