/**
 * Scheduler overhead: µs per step (`schedule()` + `updateFromOutput()`; the fake
 * model and the replacement of finished requests are not counted) at 16, 256
 * and 1024 concurrent requests, for a decode-heavy and a prefill-heavy mix,
 * with no subscriber and with a no-op subscriber on every hook. Finished
 * requests are replaced so concurrency stays constant. Each cell is the median
 * of several repetitions, each after a warm-up; the two subscriber variants
 * alternate so they share machine noise.
 *
 * Two clocks: wall time (`performance.now()`), and this process's CPU time
 * (`process.cpuUsage()`, all threads, so GC helper threads count), which is the
 * scheduler's own cost even when other processes compete for the cores.
 *
 *   pnpm --filter @x/scheduler bench          # X_BENCH_QUICK=1 for a smoke run
 */
import { availableParallelism, loadavg } from 'node:os';
import { Scheduler, type SchedulerPlugin } from '../dist/index.js';

interface Mix {
  readonly name: string;
  readonly promptLen: number;
  /** Mean output length; each request draws from [1, 2 × mean − 1] so finishes are staggered. */
  readonly meanOutput: number;
}

const MIXES: readonly Mix[] = [
  { name: 'decode-heavy', promptLen: 64, meanOutput: 256 },
  { name: 'prefill-heavy', promptLen: 1024, meanOutput: 16 },
];
const CONCURRENCY = [16, 256, 1024];
const QUICK = process.env.X_BENCH_QUICK === '1';
/** Steps per warm-up and per measurement scale inversely with concurrency (at least this many request-steps). */
const WARMUP_REQUEST_STEPS = QUICK ? 2_000 : 100_000;
const MEASURED_REQUEST_STEPS = QUICK ? 5_000 : 250_000;
const MIN_STEPS = QUICK ? 20 : 300;
/** A measured run also lasts at least this long, so GC pauses average out instead of landing in one variant. */
const MIN_RUN_MS = QUICK ? 0 : 500;
const REPETITIONS = QUICK ? 1 : 7;
const BLOCK_SIZE = 16;
/** Every prompt starts with the same system prompt of this many tokens (two cached blocks). */
const SHARED_PREFIX = 32;

const noop = (): void => {};
const NOOP_PLUGIN: SchedulerPlugin = {
  name: 'noop',
  onQueued: noop,
  onScheduled: noop,
  onFirstToken: noop,
  onPreempted: noop,
  onFinished: noop,
  onStep: noop,
};

/** One configuration's live state. */
interface Run {
  readonly scheduler: Scheduler;
  readonly mix: Mix;
  /** Random prompt body; each request copies it and makes it unique right after the shared prefix. */
  readonly basePrompt: readonly number[];
  readonly sampled: number[];
  nextId: number;
  seed: number;
}

/** Accumulated per-step cost of one run. */
interface Cost {
  wallMs: number;
  cpuUs: number;
}

function random(run: Run, n: number): number {
  run.seed = (Math.imul(run.seed, 1103515245) + 12345) >>> 0;
  return run.seed % n;
}

function addRequest(run: Run): void {
  const id = run.nextId++;
  const prompt = run.basePrompt.slice();
  prompt[SHARED_PREFIX] = 40_000 + id;
  run.scheduler.addRequest({
    requestId: `r${id}`,
    promptTokenIds: prompt,
    sampling: { maxTokens: 1 + random(run, 2 * run.mix.meanOutput - 1), ignoreEos: true },
  });
}

function createRun(concurrency: number, mix: Mix, subscribed: boolean): Run {
  const scheduler = new Scheduler({
    maxNumSeqs: concurrency,
    maxNumBatchedTokens: 8192,
    maxModelLen: 4096,
    blockSize: BLOCK_SIZE,
    numBlocks: concurrency * Math.ceil((mix.promptLen + 2 * mix.meanOutput) / BLOCK_SIZE) + 64,
  });
  if (subscribed) scheduler.use(NOOP_PLUGIN);
  const basePrompt = Array.from({ length: mix.promptLen }, (_, i) =>
    i < SHARED_PREFIX ? i + 1 : 1 + ((i * 7919) % 32_000),
  );
  const run: Run = { scheduler, mix, basePrompt, sampled: [], nextId: 0, seed: 12345 };
  for (let i = 0; i < concurrency; i++) addRequest(run);
  return run;
}

function cpuNowUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** CPU time one pair of `process.cpuUsage()` calls adds to a measurement. */
function calibrateCpuOverheadUs(): number {
  let total = 0;
  for (let i = 0; i < 20_000; i++) total -= cpuNowUs() - cpuNowUs();
  return total / 20_000;
}

/** Runs `steps` steps (and at least `minMs` of wall time), adding each one's cost to `cost` when given; returns the steps run. */
function runSteps(run: Run, steps: number, cost: Cost | null, cpuOverheadUs: number, minMs = 0): number {
  const { scheduler, sampled } = run;
  const until = performance.now() + minMs;
  let s = 0;
  for (; s < steps || performance.now() < until; s++) {
    const c0 = cpuNowUs();
    const t0 = performance.now();
    const output = scheduler.schedule();
    const t1 = performance.now();
    sampled.length = output.scheduled.length;
    for (let i = 0; i < sampled.length; i++) sampled[i] = 1 + ((s * 7 + i) % 32_000);
    const t2 = performance.now();
    const results = scheduler.updateFromOutput(output, sampled);
    const t3 = performance.now();
    const c1 = cpuNowUs();
    if (cost !== null) {
      cost.wallMs += t1 - t0 + (t3 - t2);
      cost.cpuUs += c1 - c0 - cpuOverheadUs;
    }
    for (const result of results) if (result.finished) addRequest(run);
  }
  return s;
}

function median(values: readonly number[]): number {
  return values.slice().sort((a, b) => a - b)[values.length >> 1]!;
}

interface Cell {
  readonly running: number;
  /** µs per step, [none, no-op]. */
  readonly wall: readonly [number, number];
  readonly cpu: readonly [number, number];
}

const stepsFor = (concurrency: number, requestSteps: number): number =>
  Math.max(MIN_STEPS, Math.ceil(requestSteps / concurrency));

/**
 * Runs every configuration once, with and without the subscriber, before any
 * measurement, so the JIT has seen every path (as in a long-running server)
 * and the first cells do not pay for compilation and deoptimisation.
 */
function warmUpEverything(cpuOverheadUs: number): void {
  for (const mix of MIXES) {
    for (const concurrency of CONCURRENCY) {
      for (const subscribed of [false, true]) {
        const run = createRun(concurrency, mix, subscribed);
        runSteps(run, stepsFor(concurrency, WARMUP_REQUEST_STEPS), null, cpuOverheadUs);
      }
    }
  }
}

function measure(concurrency: number, mix: Mix, cpuOverheadUs: number): Cell {
  const samples = { wall: [[], []] as number[][], cpu: [[], []] as number[][] };
  const warmUp = stepsFor(concurrency, WARMUP_REQUEST_STEPS);
  const measured = stepsFor(concurrency, MEASURED_REQUEST_STEPS);
  let running = 0;
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (const variant of rep % 2 === 0 ? [0, 1] : [1, 0]) {
      const run = createRun(concurrency, mix, variant === 1);
      runSteps(run, warmUp, null, cpuOverheadUs);
      const cost: Cost = { wallMs: 0, cpuUs: 0 };
      const steps = runSteps(run, measured, cost, cpuOverheadUs, MIN_RUN_MS);
      samples.wall[variant]!.push((cost.wallMs * 1000) / steps);
      samples.cpu[variant]!.push(cost.cpuUs / steps);
      running = run.scheduler.numRunning;
    }
  }
  const pair = (lists: number[][]) => [median(lists[0]!), median(lists[1]!)] as const;
  return { running, wall: pair(samples.wall), cpu: pair(samples.cpu) };
}

const fmt = (us: number): string => us.toFixed(1);
const ratio = ([none, withNoop]: readonly [number, number]): string => (withNoop / none).toFixed(3);

const loadAtStart = loadavg()[0]!;
const cpuOverheadUs = calibrateCpuOverheadUs();
warmUpEverything(cpuOverheadUs);
const rows = [
  '| concurrent | mix | running | wall, none | wall, no-op | ratio | CPU, none | CPU, no-op | ratio |',
  '| ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const mix of MIXES) {
  for (const concurrency of CONCURRENCY) {
    const { running, wall, cpu } = measure(concurrency, mix, cpuOverheadUs);
    rows.push(
      `| ${concurrency} | ${mix.name} | ${running} | ${fmt(wall[0])} | ${fmt(wall[1])} | ${ratio(wall)} ` +
        `| ${fmt(cpu[0])} | ${fmt(cpu[1])} | ${ratio(cpu)} |`,
    );
  }
}
console.log(
  `\n@x/scheduler: µs per step (schedule + updateFromOutput), median of ${REPETITIONS} runs; each run ` +
    `measures max(${MIN_STEPS}, ${MEASURED_REQUEST_STEPS} / concurrent) steps (and at least ${MIN_RUN_MS} ms) after ` +
    `max(${MIN_STEPS}, ${WARMUP_REQUEST_STEPS} / concurrent) warm-up steps\n` +
    `node ${process.version}, ${availableParallelism()} CPUs, load average ${loadAtStart.toFixed(1)} at start, ` +
    `${loadavg()[0]!.toFixed(1)} at end (wall time includes time lost to other processes)\n`,
);
console.log(rows.join('\n'));
