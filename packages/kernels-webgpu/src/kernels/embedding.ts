/**
 * Token embedding lookup from an f32, f16, Q8_0 or K-quant table.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import { isKQuant, QK_K, type KQuantDType } from '../dtype.js';
import type { GpuTensor } from '../tensor.js';
import { dimsOf, rowGrid, vectorWidth, wgslPrelude, type VectorWidth } from './elementwise-common.js';
import { kQuantConst } from './matmul/pipelines.js';

const WORKGROUP = 256;
const FORMATS = { f32: 0, f16: 1, q8_0: 2 } as const;
type TableDType = keyof typeof FORMATS | KQuantDType;
const TABLE_DTYPES: readonly TableDType[] = ['f32', 'f16', 'q8_0', 'q4_k', 'q5_k', 'q6_k'];

/**
 * Gathers rows of an embedding table into f32 activations. The table stays
 * in its storage format (f32, f16, the GPU Q8_0 layout of
 * {@link quantizeQ8_0}, or a K-quant's GPU layout, dim a multiple of 256) and
 * is decoded on the fly, four elements per invocation when dim is a multiple
 * of 4. An id outside [0, vocab) yields a row of zeros rather than reading
 * out of bounds.
 */
export class EmbeddingKernel {
  readonly #ctx: KernelContext;
  readonly #kernels = new Map<string, Kernel>();

  constructor(ctx: KernelContext) {
    this.#ctx = ctx;
  }

  /**
   * Records `out[t, :] = table[ids[t], :]`. `ids` is i32 `[T]`, `table`
   * `[vocab, dim]` (the whole table must fit one storage binding), `out` f32 `[T, dim]`.
   */
  record(rec: Recorder, ids: GpuTensor, table: GpuTensor, out: GpuTensor): void {
    const [tokens] = dimsOf(ids, 'ids', ['i32'], 1);
    const [vocab, dim] = dimsOf(table, 'table', TABLE_DTYPES, 2);
    dimsOf(out, 'out', ['f32'], [tokens, dim]);
    if (isKQuant(table.dtype) && dim! % QK_K !== 0)
      throw new Error(`table: ${table.dtype} rows must be whole ${QK_K}-value super-blocks, got dim ${dim}`);
    const width = vectorWidth(dim!);
    const g = rowGrid(tokens!, dim! / width, WORKGROUP);
    const p = rec.paramsBase;
    rec.u32[p] = tokens!;
    rec.u32[p + 1] = dim!;
    rec.u32[p + 2] = vocab!;
    rec.dispatch(this.#kernel(table.dtype as TableDType, width), [ids, table, out], g.x, g.y, g.z);
  }

  #kernel(dtype: TableDType, width: VectorWidth): Kernel {
    const key = `embedding:${dtype}:vec${width}`;
    let k = this.#kernels.get(key);
    if (!k) {
      k = this.#ctx.kernel(key, () => ({
        code:
          wgslPrelude(width) +
          loadShader('embedding') +
          (isKQuant(dtype) ? kQuantLoad(dtype) : loadVec(width)),
        constants: { FORMAT: isKQuant(dtype) ? 0 : FORMATS[dtype], WG: WORKGROUP },
        bindings: ['read-only-storage', 'read-only-storage', 'storage'],
      }));
      this.#kernels.set(key, k);
    }
    return k;
  }
}

/** The shader reads the table through `load_vec`: the decoder of `width` elements. */
function loadVec(width: VectorWidth): string {
  return `fn load_vec(e: u32) -> vec { return load${width}(e); }\n`;
}

/**
 * A K-quant table's `load_vec` (always four elements: dim % 256 == 0), through
 * kquants.wgsl over the table's words.
 */
function kQuantLoad(dtype: KQuantDType): string {
  return `${kQuantConst(dtype)}
fn w_vec(i: u32) -> vec4u {
  return vec4u(table[4u * i], table[4u * i + 1u], table[4u * i + 2u], table[4u * i + 3u]);
}
${loadShader('kquants')}
fn load_vec(e: u32) -> vec {
  return kq_quad(kq_chunk(e / 256u, (e % 256u) / 32u, params.vocab * (params.dim / 256u)), (e % 32u) / 4u);
}
`;
}
