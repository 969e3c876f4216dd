/**
 * The kernel context: per-device caches of shader pipelines and bind groups,
 * and the uniform ring that carries each dispatch's small parameters.
 * @module
 */
import { readFileSync } from 'node:fs';
import { GPUBufferUsageFlags as Usage, type Gpu } from './gpu.js';
import type { GpuTensor } from './tensor.js';

/**
 * How a kernel binds each of its resources, in binding order after the params
 * uniform (binding 0): a tensor's buffer, or (`texture`) a read-only rgba32uint
 * storage texture.
 */
export type BindingKind = 'storage' | 'read-only-storage' | 'texture';

/** What a dispatch binds: a tensor (from its offset to its buffer's end) or a texture view. */
export type Binding = GpuTensor | GPUTextureView;

/** What a kernel needs to build a pipeline; built once per distinct key. */
export interface PipelineSpec {
  /** WGSL source. */
  readonly code: string;
  readonly entryPoint?: string;
  /** Values for the shader's `override` constants. */
  readonly constants?: Record<string, number>;
  /** Storage bindings 1..n (binding 0 is always the params uniform). */
  readonly bindings: readonly BindingKind[];
}

/** A compiled pipeline and the layout its bind groups use. */
export interface Kernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

/** Bytes of parameters one dispatch may pass (one uniform slot). */
export const PARAMS_BYTES = 64;

interface TrieNode {
  objects?: WeakMap<object, TrieNode>;
  numbers?: Map<number, TrieNode>;
  group?: GPUBindGroup;
}

/**
 * Shared by every kernel on one device. Nothing here submits work: kernels
 * record into a {@link Recorder} that the caller submits.
 */
export class KernelContext {
  readonly gpu: Gpu;
  /** Uniform ring: each dispatch gets a {@link PARAMS_BYTES} slot at a dynamic offset. */
  readonly uniforms: GPUBuffer;
  readonly slotStride: number;
  readonly maxDispatchesPerStep: number;
  /** Host copy of the uniform ring, reused by every step. */
  readonly staging: ArrayBuffer;
  readonly #pipelines = new Map<string, Kernel>();
  readonly #groups: TrieNode = {};
  #open: Recorder | undefined;

  constructor(gpu: Gpu, options: { maxDispatchesPerStep?: number } = {}) {
    this.gpu = gpu;
    this.slotStride = Math.max(PARAMS_BYTES, gpu.limits.minUniformBufferOffsetAlignment);
    this.maxDispatchesPerStep = options.maxDispatchesPerStep ?? 4096;
    this.uniforms = gpu.device.createBuffer({
      label: 'kernel-params',
      size: this.slotStride * this.maxDispatchesPerStep,
      usage: Usage.UNIFORM | Usage.COPY_DST,
    });
    this.staging = new ArrayBuffer(this.uniforms.size);
  }

  /** The pipeline cached under `key`, built from `spec()` the first time. */
  kernel(key: string, spec: () => PipelineSpec): Kernel {
    let k = this.#pipelines.get(key);
    if (k) return k;
    const s = spec();
    const device = this.gpu.device;
    const layout = device.createBindGroupLayout({
      label: key,
      entries: [
        { binding: 0, visibility: 4 /* COMPUTE */, buffer: { type: 'uniform', hasDynamicOffset: true } },
        ...s.bindings.map((type, i) =>
          type === 'texture'
            ? {
                binding: i + 1,
                visibility: 4,
                storageTexture: { access: 'read-only' as const, format: 'rgba32uint' as const },
              }
            : { binding: i + 1, visibility: 4, buffer: { type } },
        ),
      ],
    });
    const pipeline = device.createComputePipeline({
      label: key,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: {
        module: device.createShaderModule({ label: key, code: s.code }),
        entryPoint: s.entryPoint ?? 'main',
        constants: s.constants ?? {},
      },
    });
    k = { pipeline, layout };
    this.#pipelines.set(key, k);
    return k;
  }

  /**
   * The bind group for `kernel` over `bindings` (binding i+1 = bindings[i]; a
   * tensor from its offset to the end of its buffer), created once per
   * distinct (buffer, offset) or view list and looked up without allocating
   * afterwards.
   */
  bindGroup(kernel: Kernel, bindings: readonly Binding[]): GPUBindGroup {
    let node = child(this.#groups, kernel.layout);
    for (const b of bindings) node = isTensor(b) ? child(child(node, b.buffer), b.offset) : child(node, b);
    if (node.group) return node.group;
    node.group = this.gpu.device.createBindGroup({
      layout: kernel.layout,
      entries: [
        { binding: 0, resource: { buffer: this.uniforms, size: PARAMS_BYTES } },
        ...bindings.map((b, i) => ({
          binding: i + 1,
          resource: isTensor(b) ? { buffer: b.buffer, offset: b.offset } : b,
        })),
      ],
    });
    return node.group;
  }

  /**
   * Starts recording a step: one command encoder, one compute pass. One
   * recorder is open at a time, and its command buffer must be submitted
   * before the next is finished: they share the uniform ring.
   */
  begin(label?: string, options: RecorderOptions = {}): Recorder {
    if (this.#open) throw new Error('a Recorder is already open on this context: finish() it first');
    this.#open = new Recorder(this, label, options);
    return this.#open;
  }

  /** @internal Called by {@link Recorder.finish}. */
  release(recorder: Recorder): void {
    if (this.#open === recorder) this.#open = undefined;
  }

  /** Number of pipelines built so far (steady-state tests check it stays put). */
  get numPipelines(): number {
    return this.#pipelines.size;
  }

  destroy(): void {
    this.uniforms.destroy();
    this.#pipelines.clear();
  }
}

function isTensor(b: Binding): b is GpuTensor {
  return 'buffer' in b;
}

function child(node: TrieNode, key: object | number): TrieNode {
  if (typeof key === 'number') {
    node.numbers ??= new Map();
    let next = node.numbers.get(key);
    if (!next) node.numbers.set(key, (next = {}));
    return next;
  }
  node.objects ??= new WeakMap();
  let next = node.objects.get(key);
  if (!next) node.objects.set(key, (next = {}));
  return next;
}

/** Options for {@link KernelContext.begin}. */
export interface RecorderOptions {
  /** GPU timestamps written at the start and end of the first compute pass (benchmarks). */
  readonly timestampWrites?: GPUComputePassTimestampWrites;
}

/**
 * Records dispatches into one command encoder and compute pass. Each
 * dispatch's parameters go into its own uniform slot, written to the GPU in
 * one `writeBuffer` at {@link Recorder.finish}.
 */
export class Recorder {
  readonly encoder: GPUCommandEncoder;
  #pass: GPUComputePassEncoder | undefined;
  readonly #ctx: KernelContext;
  /** Views of the current dispatch's params slot; fill them before {@link dispatch}. */
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  #slot = 0;
  #slotWords: number;
  #timestampWrites: GPUComputePassTimestampWrites | undefined;

  constructor(ctx: KernelContext, label?: string, options: RecorderOptions = {}) {
    this.#ctx = ctx;
    this.#timestampWrites = options.timestampWrites;
    this.encoder = ctx.gpu.device.createCommandEncoder({ label });
    this.u32 = new Uint32Array(ctx.staging);
    this.i32 = new Int32Array(ctx.staging);
    this.f32 = new Float32Array(ctx.staging);
    this.#slotWords = ctx.slotStride / 4;
  }

  /** Word index where the next dispatch's params start (write `u32[base + i]` etc.). */
  get paramsBase(): number {
    return this.#slot * this.#slotWords;
  }

  /** The open compute pass (opened on first use, e.g. after {@link endPass} for a copy). */
  get pass(): GPUComputePassEncoder {
    if (!this.#pass) {
      const timestampWrites = this.#timestampWrites;
      this.#timestampWrites = undefined;
      this.#pass = this.encoder.beginComputePass(timestampWrites ? { timestampWrites } : undefined);
    }
    return this.#pass;
  }

  /** Dispatches `kernel` over `bindings` with the params written at {@link paramsBase}. */
  dispatch(kernel: Kernel, bindings: readonly Binding[], x: number, y = 1, z = 1): void {
    if (this.#slot >= this.#ctx.maxDispatchesPerStep) {
      throw new Error(
        `more than ${this.#ctx.maxDispatchesPerStep} dispatches in one step (raise maxDispatchesPerStep)`,
      );
    }
    const pass = this.pass;
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, this.#ctx.bindGroup(kernel, bindings), [this.#slot * this.#ctx.slotStride]);
    pass.dispatchWorkgroups(x, y, z);
    this.#slot++;
  }

  /** Ends the compute pass so the caller can record copies; the next dispatch opens a new one. */
  endPass(): void {
    this.#pass?.end();
    this.#pass = undefined;
  }

  /** Writes the params and returns the command buffer for the caller to submit. */
  finish(): GPUCommandBuffer {
    this.endPass();
    if (this.#slot > 0) {
      this.#ctx.gpu.device.queue.writeBuffer(
        this.#ctx.uniforms,
        0,
        this.#ctx.staging,
        0,
        this.#slot * this.#ctx.slotStride,
      );
    }
    this.#ctx.release(this);
    return this.encoder.finish();
  }
}

/** Reads a `.wgsl` file shipped beside this module in `shaders/`. */
export function loadShader(name: string): string {
  return readFileSync(new URL(`./shaders/${name}.wgsl`, import.meta.url), 'utf8');
}
