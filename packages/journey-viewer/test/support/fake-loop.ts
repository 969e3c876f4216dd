/** A real scheduler driven by a fake model (every sampled token is 7), for recorder tests. */
import { Scheduler, type SchedulerOptions } from '@x/scheduler';

/** A scheduler on a tiny pool with an injected clock (1 µs per reading). */
export function tinyScheduler(options: Partial<SchedulerOptions> = {}): Scheduler {
  let now = 0;
  return new Scheduler({
    numBlocks: 8,
    blockSize: 4,
    maxModelLen: 32,
    maxNumBatchedTokens: 8,
    clock: { nowNs: () => (now += 1000) },
    ...options,
  });
}

/** Runs steps until no request is left (or `maxSteps`); returns the steps run. */
export function runToEnd(scheduler: Scheduler, maxSteps = 1000): number {
  let steps = 0;
  while (scheduler.hasUnfinishedRequests() && steps < maxSteps) {
    const output = scheduler.schedule();
    scheduler.updateFromOutput(
      output,
      output.scheduled.map((e) => (e.samplesToken ? 7 : -1)),
    );
    steps++;
  }
  return steps;
}

/** Token ids 1..n. */
export const tokens = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
