/**
 * A plugin that narrates the scheduler: one line per request event, one line
 * per step, each request's whole journey when it ends, and a summary. It uses
 * only the public hook API, as any third-party plugin would.
 */
import type { FinishKind, ProgressSnapshot, RequestView, SchedulerPlugin, StepEvent } from '@x/scheduler';

/** Where the plugin prints. */
export type Write = (line: string) => void;

/** The plugin plus its end-of-run report. */
export interface JourneyPlugin extends SchedulerPlugin {
  /** Summary lines for everything seen so far. */
  summary(): string[];
}

interface Journey {
  readonly stages: string[];
  readonly queuedStep: number;
  firstTokenStep: number | undefined;
}

interface Totals {
  readonly finished: Map<FinishKind, number>;
  readonly stepsToFirstToken: number[];
  preemptions: number;
  steps: number;
  tokens: number;
  peakKvUsage: number;
  prefixQueries: number;
  prefixHits: number;
}

function describe(progress: ProgressSnapshot): string {
  const prefill = `prefill ${progress.prefillDone}/${progress.prefillTotal}`;
  return `(${progress.phase.toLowerCase()}, ${prefill}, decode ${progress.decodeDone}/${progress.decodeMax})`;
}

function stepLine(step: StepEvent): string {
  const tokens = `${step.numScheduledTokens} tok (${step.numPrefillTokens} prefill + ${step.numDecodeTokens} decode)`;
  const kv = `KV ${step.kvBlocksUsed}/${step.kvBlocksUsed + step.kvBlocksFree} (${Math.round(step.kvUsage * 100)}%)`;
  const cache =
    step.stepPrefixCacheQueries > 0
      ? ` | cache hit ${step.stepPrefixCacheHits}/${step.stepPrefixCacheQueries} tok`
      : '';
  const preempted = step.numPreempted > 0 ? ` | preempted ${step.numPreempted}` : '';
  return `step ${String(step.step).padStart(2)} | run ${step.numRunning} wait ${step.numWaiting} | ${tokens} | ${kv}${cache}${preempted}`;
}

/** Creates the plugin; subscribe it with `scheduler.use(plugin)`. */
export function createJourneyPlugin(write: Write): JourneyPlugin {
  // Per-request state, released in onFinished (which fires exactly once per request).
  const journeys = new Map<string, Journey>();
  const totals: Totals = {
    finished: new Map(),
    stepsToFirstToken: [],
    preemptions: 0,
    steps: 0,
    tokens: 0,
    peakKvUsage: 0,
    prefixQueries: 0,
    prefixHits: 0,
  };
  const note = (request: RequestView, stage: string, progress: ProgressSnapshot): void => {
    journeys.get(request.requestId)?.stages.push(stage);
    write(`    ${request.requestId} ${stage} ${describe(progress)}`);
  };

  return {
    name: 'journey',
    onQueued(request, progress) {
      journeys.set(request.requestId, { stages: [], queuedStep: progress.step, firstTokenStep: undefined });
      note(request, 'queued', progress);
    },
    onScheduled(request, kind, progress) {
      note(request, kind === 'FIRST' ? 'scheduled' : 'resumed', progress);
    },
    onFirstToken(request, progress) {
      const journey = journeys.get(request.requestId);
      if (journey !== undefined) {
        journey.firstTokenStep = progress.step;
        totals.stepsToFirstToken.push(progress.step - journey.queuedStep);
      }
      note(request, 'first token', progress);
    },
    onPreempted(request, progress) {
      totals.preemptions++;
      note(request, 'preempted', progress);
    },
    onFinished(request, status, progress) {
      note(request, `finished (${status})`, progress);
      totals.finished.set(status, (totals.finished.get(status) ?? 0) + 1);
      const journey = journeys.get(request.requestId);
      journeys.delete(request.requestId);
      const why = request.finishReasonText === undefined ? '' : `: ${request.finishReasonText}`;
      write(`    ${request.requestId} journey: ${journey?.stages.join(' → ')}${why}`);
    },
    onStep(step) {
      totals.steps++;
      totals.tokens += step.numScheduledTokens;
      totals.peakKvUsage = Math.max(totals.peakKvUsage, step.kvUsage);
      totals.prefixQueries = step.prefixCacheQueries;
      totals.prefixHits = step.prefixCacheHits;
      write(stepLine(step));
    },
    summary() {
      const finished = [...totals.finished].map(([kind, n]) => `${n} ${kind}`).join(', ');
      const ttft = totals.stepsToFirstToken;
      const meanTtft = ttft.length === 0 ? 0 : ttft.reduce((a, b) => a + b, 0) / ttft.length;
      const hitRate = totals.prefixQueries === 0 ? 0 : totals.prefixHits / totals.prefixQueries;
      return [
        `steps: ${totals.steps}, tokens computed: ${totals.tokens}`,
        `requests: ${finished}`,
        `preemptions: ${totals.preemptions}, peak KV usage: ${Math.round(totals.peakKvUsage * 100)}%`,
        `prefix cache: ${totals.prefixHits}/${totals.prefixQueries} tokens hit (${Math.round(hitRate * 100)}%)`,
        `steps from queued to first token: mean ${meanTtft.toFixed(1)}, max ${Math.max(0, ...ttft)}`,
        `requests still tracked by the plugin: ${journeys.size}`,
      ];
    },
  };
}
