/**
 * Token embedding lookup from an f32, f16 or Q8_0 table.
 * @module
 */
import { loadShader, type Kernel, type KernelContext, type Recorder } from '../context.js';
import type { GpuTensor } from '../tensor.js';
import { dimsOf, rowGrid, vectorWidth, wgslPrelude, type VectorWidth } from './elementwise-common.js';

const WORKGROUP = 256;
const FORMATS = { f32: 0, f16: 1, q8_0: 2 } as const;
type TableDType = keyof typeof FORMATS;

/**
 * Gathers rows of an embedding table into f32 activations. The table stays
 * in its storage format (f32, f16, or the GPU Q8_0 layout of
 * {@link quantizeQ8_0}) and is decoded on the fly, four elements per
 * invocation when dim is a multiple of 4. An id outside [0, vocab) yields a
 * row of zeros rather than reading out of bounds.
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
    const [vocab, dim] = dimsOf(table, 'table', ['f32', 'f16', 'q8_0'], 2);
    dimsOf(out, 'out', ['f32'], [tokens, dim]);
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
        code: wgslPrelude(width) + loadShader('embedding') + loadVec(width),
        constants: { FORMAT: FORMATS[dtype], WG: WORKGROUP },
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
