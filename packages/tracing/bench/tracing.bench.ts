/**
 * Journey tracing's cost, in four configurations measured in the same run
 * (absent, installed but disabled, enabled at 1.0, enabled with rich step
 * tracing at 1.0), on two workloads: the scheduler with a free fake model
 * (the plugin's own cost in µs per step) and the real engine on stories260K
 * (throughput and step times as a user sees them). Configurations alternate
 * within each repetition so they share the machine's noise; each figure is
 * the median over repetitions. Spans are really exported (OTLP/HTTP protobuf
 * to a sink in a worker thread). Runs against the built `dist/`.
 *
 *   pnpm --filter @x/tracing bench          # X_BENCH_QUICK=1 for a smoke run
 */
import { loadavg } from 'node:os';
import { createEngine } from '@x/engine';
import { modelPath } from '@x/test-models';
import { runEngine, type EngineResult } from './engine-workload.ts';
import { runFake, type FakeResult } from './fake-workload.ts';
import { startSink, variant, VARIANTS, type VariantName } from './variants.ts';

const QUICK = process.env.X_BENCH_QUICK === '1';
const REPETITIONS = QUICK ? 1 : 7;
const MODEL = modelPath('stories260K.gguf');

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const pct = (value: number, base: number) =>
  `${value >= base ? '+' : ''}${((value / base - 1) * 100).toFixed(1)}%`;

/** Runs `measure` for every variant, `REPETITIONS` times in rotating order; medians of each field. */
async function table<R extends object>(
  measure: (name: VariantName, rep: number) => Promise<R>,
): Promise<Map<VariantName, R>> {
  const samples = new Map<VariantName, R[]>(VARIANTS.map((v) => [v, []]));
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const name = VARIANTS[(i + rep) % VARIANTS.length]!;
      samples.get(name)!.push(await measure(name, rep));
    }
  }
  const medians = new Map<VariantName, R>();
  for (const [name, runs] of samples) {
    const keys = Object.keys(runs[0]!) as (keyof R)[];
    medians.set(name, Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k] as number))])) as R);
  }
  return medians;
}

const sink = await startSink();
const load = loadavg()[0]!.toFixed(2);

const concurrency = QUICK ? 64 : 256;
const fake = await table<FakeResult>(async (name) => {
  const v = variant(name, sink);
  const result = await runFake(v, concurrency, QUICK ? 50 : 300, QUICK ? 200 : 1500);
  await v.close();
  return result;
});
const fakeBase = fake.get('absent')!;
console.log(`\nScheduler + fake model, ${concurrency} requests in flight (load average ${load} at start)\n`);
console.log(
  '| configuration | tokens/s | Δ | p50 µs/step | p99 µs/step | CPU µs/step | in tracing µs/step |',
);
console.log('| :--- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, r] of fake) {
  console.log(
    `| ${name} | ${Math.round(r.tokensPerSecond)} | ${pct(r.tokensPerSecond, fakeBase.tokensPerSecond)} | ` +
      `${r.p50StepUs.toFixed(0)} | ${r.p99StepUs.toFixed(0)} | ${r.cpuUsPerStep.toFixed(0)} | ` +
      `${Number.isNaN(r.tracingUsPerStep) ? '—' : r.tracingUsPerStep.toFixed(0)} |`,
  );
}

const engine = await createEngine({ model: MODEL, kvCache: { numBlocks: 1024 } });
const [lanes, requests, maxTokens] = QUICK ? [16, 32, 16] : [48, 192, 48];
await runEngine(engine, variant('absent', sink), 'warm', lanes, lanes, maxTokens);
const real = await table<EngineResult>(async (name, rep) => {
  const v = variant(name, sink);
  const result = await runEngine(engine, v, `${name}-${rep}`, lanes, requests, maxTokens);
  await v.close();
  return result;
});
await engine.shutdown();
const base = real.get('absent')!;
console.log(
  `\nReal engine (stories260K, WebGPU), ${lanes} concurrent requests of ${maxTokens} tokens, ${requests} per run\n`,
);
console.log(
  '| configuration | tokens/s | Δ | p50 step ms | p99 step ms | CPU µs/token | Δ | time in tracing |',
);
console.log('| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, r] of real) {
  console.log(
    `| ${name} | ${Math.round(r.tokensPerSecond)} | ${pct(r.tokensPerSecond, base.tokensPerSecond)} | ` +
      `${r.p50StepMs.toFixed(2)} | ${r.p99StepMs.toFixed(2)} | ${r.cpuUsPerToken.toFixed(0)} | ` +
      `${pct(r.cpuUsPerToken, base.cpuUsPerToken)} | ${Number.isNaN(r.tracingPercent) ? '—' : `${r.tracingPercent.toFixed(2)}%`} |`,
  );
}
await sink.close();
