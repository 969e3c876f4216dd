/**
 * Builds the matmul pipelines: each is one kernel body composed with `const`
 * specialisations and the activation and weight access snippets it reads
 * through (see `shaders/matmul_common.wgsl`).
 * @module
 */
import { loadShader, type Kernel, type KernelContext } from '../../context.js';
import { isKQuant, type KQuantDType } from '../../dtype.js';

/** Weight element types the matmul reads (dequantised in the shader). */
export type MatmulWeightDType = 'f32' | 'f16' | 'q8_0' | KQuantDType;

/** The four kernel bodies: decode GEMV and prefill GEMM, with and without subgroups. */
export type MatmulBody = 'gemv_sg' | 'gemm_sg' | 'gemv' | 'gemm';

/**
 * True when every row of x (f32) and w starts 16-byte aligned, so the kernels
 * may read them as vec4: k % 4 == 0, and k % 8 == 0 for f16 (eight halves per
 * vec4<u32>). Q8_0 and the K-quants need k % 32 == 0 anyway.
 */
export function rowsAligned(dtype: MatmulWeightDType, k: number): boolean {
  return k % 4 === 0 && (dtype !== 'f16' || k % 8 === 0);
}

/**
 * Where a kernel reads x and w from: storage buffers as 16-byte vectors
 * (`buffer`, aligned rows), buffers element by element (`unaligned`), or
 * read-only rgba32uint storage textures holding the tensors' bytes
 * (`texture`, aligned rows; see textures.ts).
 */
export type MatmulSource = 'buffer' | 'unaligned' | 'texture';

/** The weight decoding snippets of `dtype`: the K-quants share one over kquants.wgsl. */
function decoder(dtype: MatmulWeightDType): string[] {
  return isKQuant(dtype) ? ['kquants', 'matmul_w_kquant'] : [`matmul_w_${dtype}`];
}

const SNIPPETS: Record<MatmulSource, (dtype: MatmulWeightDType) => string[]> = {
  buffer: (dtype) => ['matmul_x', 'matmul_w_buffer', ...decoder(dtype)],
  unaligned: () => ['matmul_x_unaligned', 'matmul_w_unaligned'],
  texture: (dtype) => ['matmul_x_texture', 'matmul_w_texture', ...decoder(dtype)],
};

/** `const KQ` of kquants.wgsl: the K-quant's bit width (4, 5 or 6). */
export function kQuantConst(dtype: KQuantDType): string {
  return `const KQ = ${dtype[1]}u;`;
}

/**
 * The pipeline for `body` over `dtype` weights, cached in `ctx` under a key
 * naming every choice. `consts` become WGSL `const`s (function-scope array
 * sizes must be const-expressions, so override constants cannot size them).
 */
export function matmulPipeline(
  ctx: KernelContext,
  body: MatmulBody,
  dtype: MatmulWeightDType,
  source: MatmulSource,
  consts: Readonly<Record<string, number>>,
): Kernel {
  const constList = Object.entries(consts).map(([name, v]) => `${name}=${v}`);
  const key = ['matmul', body, dtype, source, ...constList].join(':');
  return ctx.kernel(key, () => {
    const lines = body.endsWith('_sg') ? ['enable subgroups;'] : [];
    for (const [name, v] of Object.entries(consts)) lines.push(`const ${name} = ${v}u;`);
    if (source === 'unaligned') lines.push(`const W_F16 = ${dtype === 'f16'};`);
    if (isKQuant(dtype)) lines.push(kQuantConst(dtype));
    const code = [
      lines.join('\n'),
      loadShader('matmul_common'),
      ...SNIPPETS[source](dtype).map(loadShader),
      loadShader(`matmul_${body}`),
    ].join('\n');
    const input = source === 'texture' ? 'texture' : 'read-only-storage';
    return { code, bindings: [input, input, 'storage', 'read-only-storage'] };
  });
}
