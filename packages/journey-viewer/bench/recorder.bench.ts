/**
 * What the viewer costs the scheduling path: a real Scheduler at constant
 * concurrency with free "model" steps, the server hooks fired around every
 * request as the HTTP layer fires them, the event loop turned between steps
 * as the engine does. Four variants, alternated within each repetition:
 * no plugin, a plugin on every hook that does nothing (what any subscriber
 * costs: the scheduler then builds each event's progress snapshot), the
 * viewer with no page open, and the viewer with one page following the live
 * feed (every change serialized every 250 ms).
 *
 *   pnpm --filter @x/journey-viewer bench      (X_BENCH_QUICK=1: a short run)
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { ServerRequestInfo } from '@x/openai-server';
import { Scheduler, type SchedulerPlugin } from '@x/scheduler';
import { createJourneyViewer, JourneyRecorder, LiveFeed } from '../dist/index.js';

const QUICK = process.env.X_BENCH_QUICK === '1';
const CONCURRENCY = 256;
const PROMPT = 64;
const STEPS = QUICK ? 200 : 2000;
const REPS = QUICK ? 2 : 7;

type Variant = 'no plugin' | 'no-op plugin' | 'viewer, no page' | 'viewer, one page';

/** Subscribes to every hook and does nothing: what any subscriber costs (the scheduler builds each event's snapshot). */
const NO_OP: SchedulerPlugin = {
  onQueued: () => {},
  onScheduled: () => {},
  onFirstToken: () => {},
  onPreempted: () => {},
  onFinished: () => {},
  onStep: () => {},
};

interface Result {
  readonly usPerStep: number;
  readonly cpuUsPerStep: number;
}

async function run(variant: Variant): Promise<Result> {
  const scheduler = new Scheduler({
    maxNumSeqs: CONCURRENCY,
    maxNumBatchedTokens: 8192,
    maxModelLen: 4096,
    blockSize: 16,
    numBlocks: CONCURRENCY * 8 + 64,
  });
  const recorder = variant.startsWith('viewer') ? new JourneyRecorder() : undefined;
  if (recorder) scheduler.use(recorder.schedulerPlugin);
  if (variant === 'no-op plugin') scheduler.use(NO_OP);
  const feed = recorder && variant === 'viewer, one page' ? new LiveFeed(recorder, 250) : undefined;
  let bytesSent = 0;
  const leave = feed?.subscribe(
    async (message) => void (bytesSent += message.data.length),
    () => {},
  );
  const server = recorder?.serverPlugin;
  const infos = new Map<string, { info: ServerRequestInfo; tokens: number }>();
  let next = 0;
  let seed = 12345;
  const random = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const prompt = Array.from({ length: PROMPT }, (_, i) => 1 + i);
  const arrive = () => {
    const info: ServerRequestInfo = {
      requestId: `r${next++}`,
      endpoint: 'completions',
      headers: {},
      arrivalEpochMs: Date.now(),
      arrivalMonotonicNs: performance.now() * 1e6,
    };
    const maxTokens = 1 + random(63);
    infos.set(info.requestId, { info, tokens: 0 });
    server?.onArrived?.(info, { set: () => {} });
    server?.onHandoff?.(info, {
      model: 'fake',
      promptTokens: PROMPT,
      maxTokens,
      temperature: 1,
      topP: 1,
      n: 1,
      stream: true,
    });
    scheduler.addRequest({
      requestId: info.requestId,
      promptTokenIds: prompt,
      sampling: { maxTokens, ignoreEos: true },
    });
  };
  for (let i = 0; i < CONCURRENCY; i++) arrive();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let step = 0; step < STEPS; step++) {
    const output = scheduler.schedule();
    const results = scheduler.updateFromOutput(
      output,
      output.scheduled.map((e) => (e.samplesToken ? 1 + random(500) : -1)),
    );
    for (const result of results) {
      const request = infos.get(result.requestId)!;
      if (request.tokens === 0 && result.newTokenIds.length > 0) server?.onFirstResponse?.(request.info);
      request.tokens += result.newTokenIds.length;
      if (result.finished) {
        server?.onDeparted?.(request.info, { completionTokens: request.tokens, finishReasons: ['length'] });
        infos.delete(result.requestId);
        arrive();
      }
    }
    await turn();
  }
  const elapsedUs = (performance.now() - start) * 1000;
  const used = process.cpuUsage(cpu);
  leave?.();
  if (feed && bytesSent === 0) throw new Error('the page got nothing');
  return { usPerStep: elapsedUs / STEPS, cpuUsPerStep: (used.user + used.system) / STEPS };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const variants: Variant[] = ['no plugin', 'no-op plugin', 'viewer, no page', 'viewer, one page'];
const results = new Map<Variant, Result[]>(variants.map((v) => [v, []]));
await run('viewer, one page'); // warm-up
for (let rep = 0; rep < REPS; rep++) for (const v of variants) results.get(v)!.push(await run(v));

console.log(
  `${CONCURRENCY} requests in flight, prompt ${PROMPT}, outputs 1–63 tokens; ${STEPS} steps × ${REPS} reps (medians)\n`,
);
console.log('| variant | µs / step | CPU µs / step |');
console.log('| :-- | --: | --: |');
for (const [v, rs] of results) {
  console.log(
    `| ${v} | ${median(rs.map((r) => r.usPerStep)).toFixed(0)} | ${median(rs.map((r) => r.cpuUsPerStep)).toFixed(0)} |`,
  );
}

// Memory: a full ring of journeys served end to end, as the snapshot sends it.
const viewer = createJourneyViewer();
const scheduler = new Scheduler({
  maxNumSeqs: 64,
  maxNumBatchedTokens: 2048,
  maxModelLen: 4096,
  blockSize: 16,
  numBlocks: 4096,
});
scheduler.use(viewer.schedulerPlugin);
for (let i = 0; i < 600; i++)
  scheduler.addRequest({
    requestId: `m${i}`,
    promptTokenIds: longPrompt(),
    sampling: { maxTokens: 32, ignoreEos: true },
  });
while (scheduler.hasUnfinishedRequests()) {
  const output = scheduler.schedule();
  scheduler.updateFromOutput(
    output,
    output.scheduled.map((e) => (e.samplesToken ? 7 : -1)),
  );
}
const snapshot = viewer.snapshot();
const journeyBytes = JSON.stringify(snapshot.journeys).length / snapshot.journeys.length;
const stepBytes = JSON.stringify(snapshot.steps).length / Math.max(1, snapshot.steps.length);
console.log(
  `\nsnapshot: ${snapshot.journeys.length} journeys of ~${journeyBytes.toFixed(0)} B JSON each, ` +
    `${snapshot.steps.length} steps of ~${stepBytes.toFixed(0)} B each`,
);

function longPrompt(): number[] {
  return Array.from({ length: 200 }, (_, i) => 1 + i);
}
