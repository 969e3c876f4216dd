/**
 * Builds the paged-attention pipelines: `const` specialisations, then
 * `shaders/attention_common.wgsl`, then one kernel body.
 * @module
 */
import { loadShader, type BindingKind, type Kernel, type KernelContext } from '../../context.js';

/**
 * `single`: the attention body for single-token (decode) sequences, split
 * over context chunks; `multi`: the body for sequences with more query
 * tokens; `merge`: the split path's log-sum-exp merge.
 */
export type AttentionBody = 'single' | 'multi' | 'merge';

/** Compile-time shape of an attention pipeline. */
export interface AttentionShape {
  readonly headDim: number;
  /** Query heads per kv head. */
  readonly group: number;
  /** Query heads of the group per workgroup (divides `group`). */
  readonly heads: number;
  /** Query tokens per workgroup tile (1 for `single` and `merge`). */
  readonly tileTokens: number;
  /** Lanes per workgroup. */
  readonly lanes: number;
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
  const { headDim, group, heads, tileTokens, lanes } = shape;
  const key = `attention:${body}:d${headDim}:g${group}:h${heads}:t${tileTokens}:wg${lanes}`;
  return ctx.kernel(key, () => ({
    code: [
      `const HEAD_DIM = ${headDim}u;`,
      `const GROUP = ${group}u;`,
      `const HEADS = ${heads}u;`,
      `const TILE_TOKENS = ${tileTokens}u;`,
      `const WG = ${lanes}u;`,
      `const SINGLE = ${body === 'single'};`,
      loadShader('attention_common'),
      loadShader(body === 'merge' ? 'attention_merge' : 'attention_paged'),
    ].join('\n'),
    bindings: BINDINGS,
  }));
}
