/** Helpers that run a scheduler with the fake model. */
import { Scheduler, type NewRequest, type SchedulerOptions, type SchedulerOutput } from '../../src/index.js';
import { FakeModel } from './fake-model.js';

/** A fixed clock that advances 1 µs per reading, so timestamps are deterministic and strictly increasing. */
export function steppingClock(): { nowNs(): number } {
  let now = 0;
  return { nowNs: () => (now += 1000) };
}

/** A scheduler plus a fake model sized to its pool. */
export interface Rig {
  readonly scheduler: Scheduler;
  readonly model: FakeModel;
  /** Runs one full step; returns the output that was executed. */
  step(): SchedulerOutput;
}

/** Builds a rig; logs go nowhere unless `options.logger` is given. */
export function createRig(options: SchedulerOptions): Rig {
  const scheduler = new Scheduler({ clock: steppingClock(), logger: { warn: () => {} }, ...options });
  const model = new FakeModel({
    numBlocks: scheduler.config.numBlocks,
    blockSize: scheduler.config.blockSize,
  });
  return {
    scheduler,
    model,
    step() {
      const output = scheduler.schedule();
      scheduler.updateFromOutput(output, model.run(output));
      return output;
    },
  };
}

/** Steps until nothing is unfinished (or `maxSteps`, which fails the test); returns the outputs seen. */
export function runToCompletion(rig: Rig, maxSteps = 10_000): SchedulerOutput[] {
  const outputs: SchedulerOutput[] = [];
  while (rig.scheduler.hasUnfinishedRequests()) {
    if (outputs.length >= maxSteps) throw new Error(`not finished after ${maxSteps} steps`);
    outputs.push(rig.step());
  }
  return outputs;
}

/** A request with a `length`-token prompt derived from its id, so different ids share no prefix. */
export function promptRequest(
  requestId: string,
  length: number,
  extra: Partial<NewRequest> = {},
): NewRequest {
  let seed = 7;
  for (const char of requestId) seed = (seed * 31 + char.charCodeAt(0)) % 10_007;
  return {
    requestId,
    promptTokenIds: Array.from({ length }, (_, i) => 100 + ((seed * 389 + i * 13) % 50_000)),
    ...extra,
  };
}
