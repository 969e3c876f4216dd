/**
 * Runs the demo workload on a deliberately small KV pool (so requests get
 * preempted and resumed) with chunked prefill and prefix caching, narrated by
 * the journey plugin.
 */
import { RequestStatus, Scheduler } from '@x/scheduler';
import { runFakeModel } from './fake-model.js';
import { createJourneyPlugin, type Write } from './journey-plugin.js';
import { demoWorkload } from './workload.js';

/** What a demo run reports. */
export interface DemoResult {
  /** Steps run. */
  readonly steps: number;
  /** The journey plugin's summary lines. */
  readonly summary: readonly string[];
}

/** Runs the whole workload to completion, printing through `write`. */
export function runDemo(write: Write): DemoResult {
  const scheduler = new Scheduler({
    maxNumSeqs: 6,
    maxNumBatchedTokens: 64,
    longPrefillTokenThreshold: 32,
    maxModelLen: 160,
    blockSize: 8,
    numBlocks: 24,
  });
  const plugin = createJourneyPlugin(write);
  const unsubscribe = scheduler.use(plugin);
  const arrivals = demoWorkload();
  let step = 0;
  for (; step === 0 || scheduler.hasUnfinishedRequests() || arrivals.some((a) => a.atStep >= step); step++) {
    for (const arrival of arrivals) {
      if (arrival.atStep === step) scheduler.addRequest(arrival.request);
      if (arrival.abortAtStep === step) {
        scheduler.finishRequests(
          arrival.request.requestId,
          RequestStatus.FINISHED_ABORTED,
          'client disconnected',
        );
      }
    }
    const output = scheduler.schedule();
    scheduler.updateFromOutput(output, runFakeModel(output));
  }
  const summary = plugin.summary();
  unsubscribe();
  return { steps: step, summary };
}
