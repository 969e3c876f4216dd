/**
 * The paged KV cache on the GPU: per layer one K and one V tensor of
 * `[numBlocks, numKvHeads, blockSize, headDim]` f32, sized from a memory
 * budget or a block count. The scheduler's block pool is built with exactly
 * {@link KvCache.numBlocks}, so block ids index these tensors directly.
 * @module
 */
import { createTensor, type Gpu, type GpuTensor } from '@x/kernels-webgpu';
import type { ModelConfig } from '../model/model-config.js';

/** How big to make the cache: a byte budget, or an exact block count. */
export type KvCacheSize = { readonly memoryBytes: number } | { readonly numBlocks: number };

/** The allocated cache. */
export interface KvCache {
  readonly numBlocks: number;
  readonly blockSize: number;
  /** `numBlocks × blockSize`: tokens the cache holds across all sequences. */
  readonly numTokens: number;
  /** Bytes of all layers' K and V. */
  readonly bytes: number;
  readonly k: readonly GpuTensor[];
  readonly v: readonly GpuTensor[];
  destroy(): void;
}

/** Bytes one block takes over all layers, K and V. */
export function kvBytesPerBlock(config: ModelConfig, blockSize: number): number {
  return 2 * config.nLayers * config.nKvHeads * blockSize * config.headDim * 4;
}

/**
 * The block count a size asks for on a device with `limits`: a budget is
 * rounded down to whole blocks and capped so one layer's K tensor fits a
 * storage binding; an exact count over that cap is an error, as is a cache
 * of no block.
 */
export function kvCacheBlocks(
  limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize'>,
  config: ModelConfig,
  blockSize: number,
  size: KvCacheSize,
): number {
  const perBlock = kvBytesPerBlock(config, blockSize);
  const perLayerBlock = perBlock / (2 * config.nLayers);
  const bindingMax = Math.floor(limits.maxStorageBufferBindingSize / perLayerBlock);
  // A budget is a ceiling, so it is clamped to what one binding can hold; an exact count is not.
  const wanted =
    'numBlocks' in size ? size.numBlocks : Math.min(Math.floor(size.memoryBytes / perBlock), bindingMax);
  if (!Number.isInteger(wanted) || wanted < 1) {
    throw new Error(
      `KV cache too small: ${'numBlocks' in size ? `${size.numBlocks} blocks` : `${size.memoryBytes} bytes`} ` +
        `(one block of ${blockSize} tokens takes ${perBlock} bytes over ${config.nLayers} layers)`,
    );
  }
  if (wanted > bindingMax) {
    throw new Error(
      `KV cache of ${wanted} blocks exceeds the device's storage binding limit ` +
        `(${limits.maxStorageBufferBindingSize} bytes per layer tensor = ${bindingMax} blocks)`,
    );
  }
  return wanted;
}

/** Allocates the tensors of the cache {@link kvCacheBlocks} sizes. */
export function allocateKvCache(
  gpu: Gpu,
  config: ModelConfig,
  blockSize: number,
  size: KvCacheSize,
): KvCache {
  const wanted = kvCacheBlocks(gpu.limits, config, blockSize, size);
  const perBlock = kvBytesPerBlock(config, blockSize);
  const shape = [wanted, config.nKvHeads, blockSize, config.headDim];
  const k: GpuTensor[] = [];
  const v: GpuTensor[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    k.push(createTensor(gpu, 'f32', shape, `kv.k.${l}`));
    v.push(createTensor(gpu, 'f32', shape, `kv.v.${l}`));
  }
  return {
    numBlocks: wanted,
    blockSize,
    numTokens: wanted * blockSize,
    bytes: wanted * perBlock,
    k,
    v,
    destroy() {
      for (const t of [...k, ...v]) t.buffer.destroy();
    },
  };
}
