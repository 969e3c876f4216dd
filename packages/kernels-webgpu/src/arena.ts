/**
 * A reusable arena of named tensors for the per-step activations, so that a
 * steady-state step allocates no buffers and (because kernels bind whole
 * buffers) needs no new bind groups.
 * @module
 */
import { byteSize, type DType } from './dtype.js';
import type { Gpu } from './gpu.js';
import { alignTo, numel, TENSOR_USAGE, type GpuTensor } from './tensor.js';

interface Slot {
  buffer: GPUBuffer;
  tensor: GpuTensor;
}

/**
 * Hands out tensors by name. Asking again for the same name reuses its buffer
 * while it is large enough (returning the same object when the shape repeats),
 * and grows it by at least 1.5× when it is not.
 */
export class TensorArena {
  readonly #gpu: Gpu;
  readonly #slots = new Map<string, Slot>();
  #bytes = 0;

  constructor(gpu: Gpu) {
    this.#gpu = gpu;
  }

  /** The tensor named `name`, shaped `shape`. Its contents are whatever was last written. */
  get(name: string, dtype: DType, shape: readonly number[]): GpuTensor {
    const slot = this.#slots.get(name);
    const bytes = byteSize(dtype, numel(shape));
    if (slot && slot.buffer.size >= bytes) {
      const t = slot.tensor;
      if (t.dtype === dtype && sameShape(t.shape, shape)) return t;
      slot.tensor = { buffer: slot.buffer, offset: 0, dtype, shape: [...shape], byteLength: bytes };
      return slot.tensor;
    }
    const size = Math.max(256, alignTo(slot ? Math.max(bytes, slot.buffer.size * 1.5) : bytes, 256));
    if (slot) {
      this.#bytes -= slot.buffer.size;
      slot.buffer.destroy();
    }
    const buffer = this.#gpu.device.createBuffer({ label: `arena:${name}`, size, usage: TENSOR_USAGE });
    this.#bytes += size;
    const tensor: GpuTensor = { buffer, offset: 0, dtype, shape: [...shape], byteLength: bytes };
    this.#slots.set(name, { buffer, tensor });
    return tensor;
  }

  /** Total bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Buffers created so far; constant in a steady state (tests check this). */
  get numBuffers(): number {
    return this.#slots.size;
  }

  /** Destroys every buffer. */
  destroy(): void {
    for (const slot of this.#slots.values()) slot.buffer.destroy();
    this.#slots.clear();
    this.#bytes = 0;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
