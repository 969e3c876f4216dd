/**
 * Failure isolation within a step: when the executor blames one entry (a
 * {@link StepEntryError}, raised before anything was submitted), that request
 * alone ends in error and the step runs again for the others without it.
 * @module
 */
import type { ScheduledRequest, SchedulerOutput } from '@x/scheduler';
import type { StepSamples } from '../runner/model-runner.js';
import { StepEntryError } from '../runner/step-entry-error.js';

/** A step that ran: the batch that ran (the step, less the entries that failed alone) and its samples. */
export interface StepRun {
  readonly batch: SchedulerOutput;
  readonly samples: StepSamples;
}

/**
 * Runs `output` through `run`. A failure blamed on one entry goes to `fail` and the step runs again
 * without that entry; any other failure propagates. The first run is the whole step, as given.
 */
export async function runIsolated(
  output: SchedulerOutput,
  run: (batch: SchedulerOutput) => Promise<StepSamples>,
  fail: (entry: ScheduledRequest, error: Error) => void,
): Promise<StepRun> {
  let batch = output;
  for (;;) {
    try {
      return { batch, samples: await run(batch) };
    } catch (error) {
      const entry = error instanceof StepEntryError ? batch.scheduled[error.entry] : undefined;
      if (!entry) throw error;
      fail(entry, error as StepEntryError);
      batch = without(batch, entry);
    }
  }
}

/** The sampled tokens of a {@link StepRun}, aligned with the whole step's entries (-1 for those left out). */
export function stepTokens(output: SchedulerOutput, ran: StepRun): Int32Array {
  if (ran.batch === output) return ran.samples.tokenIds;
  const ids = new Int32Array(output.scheduled.length).fill(-1);
  let j = 0;
  output.scheduled.forEach((entry, i) => {
    if (ran.batch.scheduled[j] === entry) ids[i] = ran.samples.tokenIds[j++]!;
  });
  return ids;
}

function without(batch: SchedulerOutput, gone: ScheduledRequest): SchedulerOutput {
  const prefill = gone.isPrefill ? gone.numTokens : 0;
  return {
    ...batch,
    scheduled: batch.scheduled.filter((entry) => entry !== gone),
    totalNumScheduledTokens: batch.totalNumScheduledTokens - gone.numTokens,
    numPrefillTokens: batch.numPrefillTokens - prefill,
    numDecodeTokens: batch.numDecodeTokens - (gone.numTokens - prefill),
  };
}
