/**
 * Runs the workload's batches on this engine (through `AsyncEngine.generate`,
 * as a server would) and samples each step's timings from the engine loop and
 * the model runner.
 * @module
 */
import type { Gpu } from '@x/kernels-webgpu';
import type { SchedulerOutput } from '@x/scheduler';
import { createEngine, type Engine } from '../dist/index.js';
import { BatchRecorder, type BatchRun, type BatchTiming } from './protocol.ts';
import type { RowPlan } from './workload.ts';

/** Options shared by every model: sized for the workload's largest batch. */
export interface OursOptions {
  readonly gpu: Gpu;
  /** Most concurrent sequences. */
  readonly maxNumSeqs: number;
  /** Longest prompt plus generation of any sequence. */
  readonly maxSeqTokens: number;
}

/** An engine for `path` with a KV cache that holds every sequence of the largest batch at full length. */
function startEngine(path: string, o: OursOptions): Promise<Engine> {
  const blockSize = 16;
  const numBlocks = o.maxNumSeqs * Math.ceil(o.maxSeqTokens / blockSize) + 16;
  return createEngine({
    model: path,
    gpu: o.gpu,
    blockSize,
    kvCache: { numBlocks },
    maxModelLen: o.maxSeqTokens,
    maxNumSeqs: o.maxNumSeqs,
  });
}

/** Our timings per row of the plan (timed batches only), and the steps sampled during decode rows. */
export interface OursResult {
  readonly rows: readonly (readonly BatchTiming[])[];
  readonly steps: readonly (readonly StepSample[])[];
}

/** Runs every row of `plan` (warm-ups first) on a fresh engine for `path`, then shuts it down. */
export async function benchOurs(path: string, plan: readonly RowPlan[], o: OursOptions): Promise<OursResult> {
  const engine = await startEngine(path, o);
  const rows: BatchTiming[][] = [];
  const steps: StepSample[][] = [];
  for (const row of plan) {
    for (const run of row.warmup) await runBatch(engine, run);
    const probe = probeSteps(engine);
    const timings: BatchTiming[] = [];
    for (const run of row.timed) timings.push(await runBatch(engine, run));
    probe.stop();
    rows.push(timings);
    steps.push(probe.samples);
  }
  await engine.shutdown();
  return { rows, steps };
}

/** Submits every prompt at once and records when each sequence's tokens arrive. */
async function runBatch(engine: Engine, run: BatchRun): Promise<BatchTiming> {
  const recorder = new BatchRecorder(run.prompts.length);
  const params = { temperature: 0, maxTokens: run.maxTokens, ignoreEos: true };
  await Promise.all(
    run.prompts.map(async (prompt, i) => {
      for await (const o of engine.generate(prompt, params)) recorder.tokens(i, o.tokenIds);
    }),
  );
  await engine.core.idle();
  return recorder.finish();
}

/** One step's wall time by part, in µs (engine loop and runner together). */
export interface StepSample {
  /** Sequences in the step. */
  readonly sequences: number;
  /** True when every sequence decoded one token (no prompt chunk). */
  readonly decodeOnly: boolean;
  readonly scheduleUs: number;
  readonly inputsUs: number;
  readonly recordUs: number;
  readonly waitUs: number;
  readonly readbackUs: number;
  /** Inside `execute` but none of the above. */
  readonly executeOtherUs: number;
  readonly deliverUs: number;
  readonly yieldUs: number;
}

/**
 * Samples every step's timings until `stop()`. It wraps the runner's
 * `execute`: when a step starts, the loop's record (`core.lastStep`) is that
 * of the step before, complete, and is paired with the runner's record of it.
 */
function probeSteps(engine: Engine): { readonly samples: StepSample[]; stop(): void } {
  const { runner, core } = engine;
  const execute = runner.execute;
  const samples: StepSample[] = [];
  let pending: { sequences: number; decodeOnly: boolean; runner: typeof runner.lastStep } | undefined;
  const take = () => {
    if (!pending) return;
    const { scheduleUs, executeUs, deliverUs, yieldUs } = core.lastStep;
    const r = pending.runner;
    const executeOtherUs = executeUs - r.inputsUs - r.recordUs - r.waitUs - r.readbackUs;
    samples.push({ ...pending, ...r, scheduleUs, executeOtherUs, deliverUs, yieldUs });
    pending = undefined;
  };
  // The engine hands the runner whole scheduler outputs (the type allows less, for warm-up steps).
  runner.execute = async (output: SchedulerOutput, paramsFor) => {
    take();
    const result = await execute.call(runner, output, paramsFor);
    const decodeOnly = output.numPrefillTokens === 0;
    pending = { sequences: output.scheduled.length, decodeOnly, runner: { ...runner.lastStep } };
    return result;
  };
  return {
    samples,
    stop() {
      take(); // the engine is idle: core.lastStep is the last step's
      runner.execute = execute;
    },
  };
}
