/**
 * Copies of tensors' bytes in read-only storage textures, for the subgroup
 * GEMM: on lavapipe a texel load costs one instruction per lane where a
 * storage-buffer vec4 costs ~20, which makes the GEMM 1.2–1.6× faster for the
 * price of a copy (1–2% of its time) and texture memory (docs/matmul.md).
 * @module
 */
import type { Gpu } from '../../gpu.js';
import type { Recorder } from '../../context.js';
import { alignTo, type GpuTensor } from '../../tensor.js';

/** Texels per texture row; the shaders' `TW`. */
export const TEXTURE_WIDTH = 4096;

/** Bytes per rgba32uint texel. */
const TEXEL_BYTES = 16;
const ROW_BYTES = TEXTURE_WIDTH * TEXEL_BYTES;

// GPUTextureUsage.COPY_DST | GPUTextureUsage.STORAGE_BINDING
const USAGE = 0x02 | 0x08;

/** The texture a kernel reads a tensor from: one per operand, so x and w never share one. */
export type TextureSlot = 'w' | 'x';

interface Pooled {
  readonly texture: GPUTexture;
  readonly view: GPUTextureView;
}

/**
 * A pool of rgba32uint textures, {@link TEXTURE_WIDTH} texels wide, one per
 * slot and power-of-two height, reused by every call (so bind groups are too)
 * and freed by {@link destroy}. Copies are recorded into the caller's command
 * encoder, so they are ordered with the dispatches around them.
 */
export class TensorTextures {
  readonly #gpu: Gpu;
  readonly #pool = new Map<string, Pooled>();

  constructor(gpu: Gpu) {
    this.#gpu = gpu;
  }

  /**
   * True when `tensor` can be copied: its bytes rounded up to whole texels lie
   * in its buffer from a 16-byte aligned offset, and the texture it needs is
   * within the device's limits.
   */
  fits(tensor: GpuTensor): boolean {
    const bytes = alignTo(tensor.byteLength, TEXEL_BYTES);
    const maxDim = this.#gpu.limits.maxTextureDimension2D;
    return (
      tensor.offset % TEXEL_BYTES === 0 &&
      tensor.offset + bytes <= tensor.buffer.size &&
      TEXTURE_WIDTH <= maxDim &&
      Math.ceil(bytes / ROW_BYTES) <= maxDim
    );
  }

  /**
   * Records the copy of `tensor`'s bytes into `slot`'s texture (ending the
   * open compute pass) and returns the view to bind. Needs {@link fits}.
   */
  copy(rec: Recorder, tensor: GpuTensor, slot: TextureSlot): GPUTextureView {
    const texels = alignTo(tensor.byteLength, TEXEL_BYTES) / TEXEL_BYTES;
    const fullRows = Math.floor(texels / TEXTURE_WIDTH);
    const lastRow = texels % TEXTURE_WIDTH;
    const { texture, view } = this.#texture(slot, Math.ceil(texels / TEXTURE_WIDTH));
    rec.endPass();
    const source = { buffer: tensor.buffer, offset: tensor.offset, bytesPerRow: ROW_BYTES };
    if (fullRows > 0) rec.encoder.copyBufferToTexture(source, { texture }, [TEXTURE_WIDTH, fullRows]);
    if (lastRow > 0) {
      rec.encoder.copyBufferToTexture(
        { ...source, offset: tensor.offset + fullRows * ROW_BYTES },
        { texture, origin: [0, fullRows] },
        [lastRow, 1],
      );
    }
    return view;
  }

  /** Frees every texture. */
  destroy(): void {
    for (const { texture } of this.#pool.values()) texture.destroy();
    this.#pool.clear();
  }

  /** The pooled texture of `slot` with at least `rows` rows (a power of two, within the limit). */
  #texture(slot: TextureSlot, rows: number): Pooled {
    const height = Math.min(
      2 ** Math.ceil(Math.log2(Math.max(1, rows))),
      this.#gpu.limits.maxTextureDimension2D,
    );
    const key = `${slot}:${height}`;
    let pooled = this.#pool.get(key);
    if (!pooled) {
      const texture = this.#gpu.device.createTexture({
        label: `matmul:${key}`,
        size: [TEXTURE_WIDTH, height],
        format: 'rgba32uint',
        usage: USAGE,
      });
      pooled = { texture, view: texture.createView() };
      this.#pool.set(key, pooled);
    }
    return pooled;
  }
}
