/**
 * Kernel benchmark harness: times many calls of a kernel recorded into one
 * compute pass, with GPU timestamps where the device has them and wall-clock
 * time around one submission otherwise; measures a plain copy kernel's
 * bandwidth as the memory roof; prints a markdown table.
 *
 * Runs under Node's type stripping against the built package (`../dist`).
 */
import {
  GPUBufferUsageFlags as Usage,
  GPUMapModeFlags as MapMode,
  createTensor,
  type Gpu,
  type GpuTensor,
  type KernelContext,
  type Recorder,
} from '../dist/index.js';

/** One row of the table. */
export interface BenchRow {
  kernel: string;
  shape: string;
  usPerCall: number;
  /** Bytes each call must move at least (inputs read once + outputs written once). */
  bytes: number;
  /** Floating-point operations per call (0 when not meaningful). */
  flops: number;
}

/** What a row file receives. */
export interface BenchEnv {
  gpu: Gpu;
  ctx: KernelContext;
  /** Quick mode (X_BENCH_QUICK=1): fewer calls and smaller shapes, for a smoke run. */
  quick: boolean;
  /** Times `record` (one call) over `calls` repetitions; returns µs per call. */
  time(record: (rec: Recorder) => void, calls?: number): Promise<number>;
}

export async function timeCalls(
  gpu: Gpu,
  ctx: KernelContext,
  record: (rec: Recorder) => void,
  calls: number,
): Promise<number> {
  const device = gpu.device;
  // Warm-up: builds pipelines and bind groups, fills caches.
  const warm = ctx.begin();
  record(warm);
  device.queue.submit([warm.finish()]);
  await device.queue.onSubmittedWorkDone();

  if (!gpu.caps.timestamps) {
    const rec = ctx.begin();
    for (let i = 0; i < calls; i++) record(rec);
    const t0 = performance.now();
    device.queue.submit([rec.finish()]);
    await device.queue.onSubmittedWorkDone();
    return ((performance.now() - t0) * 1000) / calls;
  }
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ size: 16, usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC });
  const readback = device.createBuffer({ size: 16, usage: Usage.MAP_READ | Usage.COPY_DST });
  const rec = ctx.begin('bench', { timestampWrites: { querySet, beginningOfPassWriteIndex: 0 } });
  for (let i = 0; i < calls; i++) record(rec);
  rec.endPass();
  // An empty pass takes the end time, so calls that split the pass (the
  // matmul's texture copies) are timed whole.
  rec.encoder.beginComputePass({ timestampWrites: { querySet, endOfPassWriteIndex: 1 } }).end();
  rec.encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
  rec.encoder.copyBufferToBuffer(resolve, 0, readback, 0, 16);
  device.queue.submit([rec.finish()]);
  await readback.mapAsync(MapMode.READ);
  const [t0, t1] = new BigUint64Array(readback.getMappedRange().slice(0));
  readback.unmap();
  [querySet, resolve, readback].forEach((r) => r.destroy());
  return Number(t1! - t0!) / 1000 / calls;
}

/** A plain vec4 copy kernel over `bytes`: the device's practical memory roof, in GB/s. */
export async function copyRoof(env: BenchEnv, bytes: number): Promise<BenchRow> {
  const n = bytes / 16;
  const kernel = env.ctx.kernel('bench_copy', () => ({
    code: /* wgsl */ `
      struct Params { n: u32 }
      @group(0) @binding(0) var<uniform> params: Params;
      @group(0) @binding(1) var<storage, read> src: array<vec4f>;
      @group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;
      @compute @workgroup_size(256)
      fn main(@builtin(global_invocation_id) gid: vec3u) {
        let i = gid.y * 65535u * 256u + gid.x;
        if (i < params.n) { dst[i] = src[i]; }
      }`,
    bindings: ['read-only-storage', 'storage'],
  }));
  const src: GpuTensor = createTensor(env.gpu, 'f32', [n * 4]);
  const dst: GpuTensor = createTensor(env.gpu, 'f32', [n * 4]);
  const groups = Math.ceil(n / 256);
  const x = Math.min(groups, 65535);
  const us = await env.time((rec) => {
    rec.u32[rec.paramsBase] = n;
    rec.dispatch(kernel, [src, dst], x, Math.ceil(groups / x));
  });
  src.buffer.destroy();
  dst.buffer.destroy();
  return {
    kernel: 'copy (roof)',
    shape: `${(bytes / 2 ** 20).toFixed(0)} MiB`,
    usPerCall: us,
    bytes: 2 * bytes,
    flops: 0,
  };
}

/** Prints rows as a markdown table, with each row's bandwidth as a fraction of the roof's. */
export function printTable(rows: BenchRow[], roofGBs: number): void {
  const head = ['kernel', 'shape', 'µs/call', 'GB/s', 'GFLOP/s', 'vs copy roof'];
  const body = rows.map((r) => {
    const gbs = r.bytes / r.usPerCall / 1e3;
    return [
      r.kernel,
      r.shape,
      r.usPerCall.toFixed(1),
      gbs.toFixed(2),
      r.flops ? (r.flops / r.usPerCall / 1e3).toFixed(2) : '',
      `${((100 * gbs) / roofGBs).toFixed(0)}%`,
    ];
  });
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of body) console.log(`| ${r.join(' | ')} |`);
}
