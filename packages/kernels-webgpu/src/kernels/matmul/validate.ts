/**
 * Argument checks for {@link MatmulKernel.record}: shapes, dtypes and the
 * device's storage-binding size, with errors that say what to change.
 * @module
 */
import { isKQuant, QK_K } from '../../dtype.js';
import type { GpuTensor } from '../../tensor.js';
import type { MatmulWeightDType } from './pipelines.js';

/** The sizes of one matmul, read off its tensors. */
export interface MatmulDims {
  /** Activation rows. */
  readonly t: number;
  /** Output features (weight rows). */
  readonly n: number;
  /** Input features. */
  readonly k: number;
  /** Row length of y (N, or more when writing a column block). */
  readonly yStride: number;
  readonly dtype: MatmulWeightDType;
}

const WEIGHT_DTYPES: readonly string[] = ['f32', 'f16', 'q8_0', 'q4_k', 'q5_k', 'q6_k'];

function describe(name: string, t: GpuTensor): string {
  return `${name} ${t.dtype}[${t.shape.join(', ')}]`;
}

/**
 * Checks x [T, K] f32, w [N, K], y [T, >= column + N] f32 and bias [N] f32,
 * and that each fits one storage binding (bound from its offset to its
 * buffer's end).
 */
export function checkMatmul(
  x: GpuTensor,
  w: GpuTensor,
  y: GpuTensor,
  bias: GpuTensor | undefined,
  column: number,
  maxBinding: number,
): MatmulDims {
  const fail = (why: string): never => {
    throw new Error(`matmul: ${why}`);
  };
  if (!WEIGHT_DTYPES.includes(w.dtype))
    fail(`weights must be ${WEIGHT_DTYPES.join(', ')}, got ${describe('w', w)}`);
  for (const [name, t] of [
    ['x', x],
    ['y', y],
    ['bias', bias],
  ] as const) {
    if (t && t.dtype !== 'f32') fail(`${describe(name, t)} must be f32`);
  }
  if (x.shape.length !== 2 || w.shape.length !== 2)
    fail(`want x [T, K] and w [N, K], got ${describe('x', x)}, ${describe('w', w)}`);
  const [t, k] = x.shape as [number, number];
  const [n, wk] = w.shape as [number, number];
  if (wk !== k) fail(`inner sizes differ: ${describe('x', x)}, ${describe('w', w)}`);
  if (!Number.isInteger(column) || column < 0) fail(`column must be a non-negative integer, got ${column}`);
  if (y.shape.length !== 2 || y.shape[0] !== t || y.shape[1]! < column + n)
    fail(`want y [${t}, ${column ? `>= ${column} + ` : ''}${n}], got ${describe('y', y)}`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n))
    fail(`want bias [${n}], got ${describe('bias', bias)}`);
  const dtype = w.dtype as MatmulWeightDType;
  if (dtype === 'q8_0' && k % 32 !== 0) fail(`q8_0 weights need K % 32 == 0, got K = ${k}`);
  if (isKQuant(dtype) && k % QK_K !== 0) fail(`${dtype} weights need K % ${QK_K} == 0, got K = ${k}`);
  if (dtype === 'f16' && k % 2 !== 0) fail(`f16 weights need an even K, got K = ${k}`);
  for (const [name, other] of [
    ['x', x],
    ['w', w],
    ['bias', bias],
  ] as const) {
    if (other?.buffer === y.buffer)
      fail(`y shares its buffer with ${name}; the output needs a buffer of its own`);
  }
  for (const [name, tensor] of [
    ['w', w],
    ['x', x],
    ['y', y],
    ['bias', bias],
  ] as const) {
    if (!tensor) continue;
    const bound = tensor.buffer.size - tensor.offset;
    if (bound > maxBinding) {
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
      fail(
        `${describe(name, tensor)} would bind ${mib(bound)}, over this device's maxStorageBufferBindingSize ` +
          `(${mib(maxBinding)}). Store the weights as f16 or q8_0, or split them into row blocks in buffers of their own ` +
          `and record one call per block with the \`column\` option.`,
      );
    }
  }
  return { t, n, k, yStride: y.shape[1]!, dtype };
}
