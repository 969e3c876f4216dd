/**
 * Typed GPU tensors and the host↔device copies that tests, loaders and the
 * model runner use outside the hot path.
 * @module
 */
import { byteSize, type DType } from './dtype.js';
import { GPUBufferUsageFlags as Usage, GPUMapModeFlags as MapMode, type Gpu } from './gpu.js';

/**
 * A view of a GPU buffer as a dense row-major tensor. Kernels bind
 * `buffer` from `offset` to the buffer's end, so a tensor may be re-shaped
 * in place (see {@link TensorArena}) without new bind groups.
 */
export interface GpuTensor {
  readonly buffer: GPUBuffer;
  /** Byte offset into `buffer`; a multiple of the device's storage-offset alignment. */
  readonly offset: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Bytes the current shape occupies. */
  readonly byteLength: number;
}

/** Usage every tensor buffer gets: bound as storage, copied to and from. */
export const TENSOR_USAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a tensor in a buffer of its own. Contents are zero. */
export function createTensor(gpu: Gpu, dtype: DType, shape: readonly number[], label?: string): GpuTensor {
  const byteLength = byteSize(dtype, numel(shape));
  const buffer = gpu.device.createBuffer({
    label,
    size: Math.max(4, alignTo(byteLength, 4)),
    usage: TENSOR_USAGE,
  });
  return { buffer, offset: 0, dtype, shape: [...shape], byteLength };
}

/** Host data accepted for an upload: typed arrays of the dtype's encoding, or raw bytes. */
export type HostData = Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * Creates a tensor and fills it from host data in the dtype's encoding
 * (`Float32Array` for f32, f16 bits for f16, {@link quantizeQ8_0} bytes for q8_0).
 */
export function uploadTensor(
  gpu: Gpu,
  dtype: DType,
  shape: readonly number[],
  data: HostData,
  label?: string,
): GpuTensor {
  const t = createTensor(gpu, dtype, shape, label);
  writeTensor(gpu, t, data);
  return t;
}

/** Writes host data over a tensor's contents (queued; ordered before later submissions). */
export function writeTensor(gpu: Gpu, tensor: GpuTensor, data: HostData): void {
  if (data.byteLength !== tensor.byteLength) {
    throw new Error(
      `writeTensor: ${data.byteLength} bytes for a ${tensor.dtype}[${tensor.shape}] of ${tensor.byteLength}`,
    );
  }
  const padded = data.byteLength % 4 === 0 ? data : padTo4(data);
  gpu.device.queue.writeBuffer(
    tensor.buffer,
    tensor.offset,
    padded.buffer,
    padded.byteOffset,
    padded.byteLength,
  );
}

/** Copies a tensor's bytes back to the host. For tests and tools, not the hot path. */
export async function readTensorBytes(gpu: Gpu, tensor: GpuTensor): Promise<Uint8Array> {
  const size = alignTo(tensor.byteLength, 4);
  const staging = gpu.device.createBuffer({ size, usage: Usage.MAP_READ | Usage.COPY_DST });
  const encoder = gpu.device.createCommandEncoder();
  encoder.copyBufferToBuffer(tensor.buffer, tensor.offset, staging, 0, size);
  gpu.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MapMode.READ);
  const bytes = new Uint8Array(staging.getMappedRange().slice(0, tensor.byteLength));
  staging.unmap();
  staging.destroy();
  return bytes;
}

/** Reads an f32 tensor. */
export async function readF32(gpu: Gpu, tensor: GpuTensor): Promise<Float32Array> {
  return new Float32Array((await readTensorBytes(gpu, tensor)).buffer);
}

/** Reads an i32 tensor. */
export async function readI32(gpu: Gpu, tensor: GpuTensor): Promise<Int32Array> {
  return new Int32Array((await readTensorBytes(gpu, tensor)).buffer);
}

/** Reads a u32 tensor. */
export async function readU32(gpu: Gpu, tensor: GpuTensor): Promise<Uint32Array> {
  return new Uint32Array((await readTensorBytes(gpu, tensor)).buffer);
}

/** Rounds `n` up to a multiple of `align`. */
export function alignTo(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

function padTo4(data: HostData): Uint8Array {
  const out = new Uint8Array(alignTo(data.byteLength, 4));
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}
