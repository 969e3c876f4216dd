/**
 * What the benchmark prints: the machine, the throughput table with the
 * llama.cpp anchor, the CPU-overhead breakdown of our steps, and how far the
 * two engines' greedy tokens agree.
 * @module
 */
import { cpus, loadavg } from 'node:os';
import { GPUBufferUsageFlags as Usage, GPUMapModeFlags as MapMode, type Gpu } from '@x/kernels-webgpu';
import type { StepSample } from './ours.ts';
import type { RowFigures } from './workload.ts';

/** One line of the throughput table. */
export interface ThroughputRow {
  readonly model: string;
  readonly weights: string;
  readonly row: string;
  readonly ours: RowFigures;
  /** llama.cpp with 2 threads (the anchor) and with 1 (immune to a descheduled peer thread). */
  readonly llama2: RowFigures;
  readonly llama1: RowFigures;
}

/** The machine and the WebGPU adapter, plus the load average: other work on 2 cores skews every figure. */
export function describeMachine(gpu: Gpu): string {
  const { vendor, architecture, description } = gpu.adapterInfo;
  return [
    `cpu: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}`,
    `webgpu: ${description || vendor} ${architecture}`,
    loadLine(),
  ].join('\n');
}

/** The 1, 5 and 15 minute load averages, with a warning when other work competes for the cores. */
export function loadLine(): string {
  const load = loadavg();
  const busy = load[0]! > 1 ? '  (other work is running: figures will be low)' : '';
  return `load average: ${load.map((l) => l.toFixed(2)).join(' ')}${busy}`;
}

/** Median µs of a submit that copies 4 bytes plus its `mapAsync`: the fixed cost in every step's GPU wait. */
export async function readbackFloorUs(gpu: Gpu, reps = 30): Promise<number> {
  const { device } = gpu;
  const src = device.createBuffer({ size: 256, usage: Usage.COPY_SRC });
  const dst = device.createBuffer({ size: 256, usage: Usage.MAP_READ | Usage.COPY_DST });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(src, 0, dst, 0, 4);
    device.queue.submit([encoder.finish()]);
    await dst.mapAsync(MapMode.READ, 0, 4);
    dst.unmap();
    times.push(1000 * (performance.now() - t0));
  }
  src.destroy();
  dst.destroy();
  return times.sort((a, b) => a - b)[reps >> 1]!;
}

/** Prints a markdown table. */
export function printTable(head: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/**
 * The throughput table: tokens/s of both engines, our ratio to the faster
 * llama.cpp setting, and CPU ms per token (all threads) of each.
 */
export function printThroughput(rows: readonly ThroughputRow[]): void {
  const tps = (f: RowFigures) => f.tokensPerSecond.toFixed(1);
  const cpu = (f: RowFigures) => f.cpuMsPerToken.toFixed(2);
  printTable(
    [
      'model',
      'weights',
      'row',
      'ours tok/s',
      'llama.cpp 2 thr',
      'llama.cpp 1 thr',
      'ours / best llama.cpp',
      'CPU ms/tok: ours',
      'llama.cpp 2 thr',
      'llama.cpp 1 thr',
    ],
    rows.map((r) => {
      const best = Math.max(r.llama2.tokensPerSecond, r.llama1.tokensPerSecond);
      const ratio = (r.ours.tokensPerSecond / best).toFixed(2);
      return [
        r.model,
        r.weights,
        r.row,
        tps(r.ours),
        tps(r.llama2),
        tps(r.llama1),
        ratio,
        cpu(r.ours),
      ].concat([cpu(r.llama2), cpu(r.llama1)]);
    }),
  );
}

/** Mean µs per part over decode-only steps of `sequences` sequences, and the CPU share of the step. */
export function overheadRow(model: string, samples: readonly StepSample[], sequences: number): string[] {
  const steps = samples.filter((s) => s.decodeOnly && s.sequences === sequences);
  const mean = (f: (s: StepSample) => number) => steps.reduce((sum, s) => sum + f(s), 0) / steps.length;
  const parts = {
    schedule: mean((s) => s.scheduleUs),
    inputs: mean((s) => s.inputsUs),
    record: mean((s) => s.recordUs),
    wait: mean((s) => s.waitUs),
    readback: mean((s) => s.readbackUs + s.executeOtherUs),
    deliver: mean((s) => s.deliverUs),
    yield: mean((s) => s.yieldUs),
  };
  const step = Object.values(parts).reduce((a, b) => a + b, 0);
  const us = (v: number) => v.toFixed(0);
  return [
    model,
    String(steps.length),
    (step / 1000).toFixed(2),
    us(parts.wait),
    us(parts.schedule),
    us(parts.inputs),
    us(parts.record),
    us(parts.readback),
    us(parts.deliver),
    us(parts.yield),
    `${((100 * (step - parts.wait)) / step).toFixed(1)}%`,
  ];
}

/** Header of the {@link overheadRow} table. */
export const OVERHEAD_HEAD = [
  'model',
  'steps',
  'step ms',
  'GPU wait µs',
  'schedule µs',
  'inputs µs',
  'record+submit µs',
  'readback µs',
  'deliver µs',
  'yield µs',
  'CPU overhead',
] as const;

/** Share of sequences whose first generated token, and whose whole output, match between the engines. */
export function agreement(
  ours: readonly (readonly number[])[],
  theirs: readonly (readonly number[])[],
): { first: number; all: number } {
  let first = 0;
  let all = 0;
  ours.forEach((seq, i) => {
    const other = theirs[i] ?? [];
    if (seq[0] === other[0]) first++;
    if (seq.length === other.length && seq.every((t, j) => t === other[j])) all++;
  });
  return { first: first / ours.length, all: all / ours.length };
}
