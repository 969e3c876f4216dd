/**
 * Device set-up: a WebGPU adapter and device from Dawn's Node bindings, with the
 * optional features the kernels can use and the storage limits raised to the
 * adapter's.
 * @module
 */
/// <reference types="@webgpu/types" preserve="true" />
import { create, globals } from 'webgpu';

/** What the device was granted; kernels pick a variant from it. */
export interface GpuCapabilities {
  /** `shader-f16`: f16 arithmetic and storage in WGSL (`enable f16;`). */
  readonly f16: boolean;
  /** `subgroups`: subgroupAdd, subgroupMax, subgroupShuffle… in WGSL. */
  readonly subgroups: boolean;
  /** `timestamp-query`: GPU timestamps for benchmarks. */
  readonly timestamps: boolean;
  /** Smallest and largest subgroup sizes the adapter reports (0 when unknown). */
  readonly subgroupMinSize: number;
  readonly subgroupMaxSize: number;
}

/** A device and what it can do. Call {@link Gpu.destroy} when done. */
export interface Gpu {
  readonly device: GPUDevice;
  readonly adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  readonly caps: GpuCapabilities;
  readonly limits: GPUSupportedLimits;
  /** Destroys the device and drops the Dawn instance so the process can exit. */
  destroy(): void;
}

/** Options for {@link createGpu}. */
export interface CreateGpuOptions {
  /** Ask for no optional feature (to test fallback paths). Default false. */
  readonly baseline?: boolean;
  /** Dawn toggles to enable; default `['disable_robustness']` (no bounds-check rewriting, ~30% faster). */
  readonly dawnToggles?: readonly string[];
  readonly powerPreference?: GPUPowerPreference;
}

/** WebGPU constants that browsers put on the global object and dawn.node on `globals`. */
export const GPUBufferUsageFlags = (globals as { GPUBufferUsage: typeof GPUBufferUsage }).GPUBufferUsage;
export const GPUMapModeFlags = (globals as { GPUMapMode: typeof GPUMapMode }).GPUMapMode;

const NO_ADAPTER_HELP =
  "No WebGPU adapter found. Dawn needs a Vulkan driver: install your GPU vendor's Vulkan driver, or on a machine without a GPU " +
  "Mesa's lavapipe (Debian bookworm: `apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`; " +
  "bookworm's own Mesa 22 is too old). The project's `tooling/setup` does this.";

/**
 * Creates a device. Optional features (`shader-f16`, `subgroups`,
 * `timestamp-query`) are requested where the adapter has them, and the
 * storage-buffer limits are raised to the adapter's.
 */
export async function createGpu(options: CreateGpuOptions = {}): Promise<Gpu> {
  const toggles = options.dawnToggles ?? ['disable_robustness'];
  let instance: GPU | undefined = create(toggles.length ? [`enable-dawn-features=${toggles.join(',')}`] : []);
  const adapter = await instance.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  );
  if (!adapter) throw new Error(NO_ADAPTER_HELP);

  const wanted: GPUFeatureName[] = options.baseline ? [] : ['shader-f16', 'subgroups', 'timestamp-query'];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const a = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
    },
  });
  device.addEventListener('uncapturederror', (e) => {
    console.error(`WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
  const info = adapter.info;
  const has = (f: GPUFeatureName) => device.features.has(f);
  const infoSizes = info as unknown as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return {
    device,
    adapterInfo: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
    },
    caps: {
      f16: has('shader-f16'),
      subgroups: has('subgroups'),
      timestamps: has('timestamp-query'),
      subgroupMinSize: infoSizes.subgroupMinSize ?? 0,
      subgroupMaxSize: infoSizes.subgroupMaxSize ?? 0,
    },
    limits: device.limits,
    destroy() {
      device.destroy();
      // dawn.node keeps the process alive while the instance is referenced.
      instance = undefined;
    },
  };
}
