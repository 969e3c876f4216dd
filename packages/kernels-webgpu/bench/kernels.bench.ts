/**
 * `pnpm --filter @x/kernels-webgpu bench`: every kernel's time per call, GB/s,
 * GFLOP/s and bandwidth relative to a plain copy measured in the same run.
 * X_BENCH_QUICK=1 runs a short smoke version.
 */
import { createGpu, KernelContext } from '../dist/index.js';
import { copyRoof, printTable, timeCalls, type BenchEnv, type BenchRow } from './harness.ts';
import { attentionRows } from './rows-attention.ts';
import { elementwiseRows } from './rows-elementwise.ts';
import { matmulRows } from './rows-matmul.ts';
import { samplingRows } from './rows-sampling.ts';

const quick = process.env.X_BENCH_QUICK === '1';
const gpu = await createGpu();
const ctx = new KernelContext(gpu);
const env: BenchEnv = {
  gpu,
  ctx,
  quick,
  time: (record, calls = quick ? 3 : 20) => timeCalls(gpu, ctx, record, calls),
};
const { vendor, architecture, description } = gpu.adapterInfo;
console.log(
  `device: ${description || vendor} ${architecture} (f16 ${gpu.caps.f16}, subgroups ${gpu.caps.subgroups}, timestamps ${gpu.caps.timestamps})\n`,
);

const roof = await copyRoof(env, (quick ? 16 : 64) * 2 ** 20);
const rows: BenchRow[] = [roof];
for (const section of [elementwiseRows, matmulRows, attentionRows, samplingRows])
  rows.push(...(await section(env)));
printTable(rows, roof.bytes / roof.usPerCall / 1e3);
ctx.destroy();
gpu.destroy();
