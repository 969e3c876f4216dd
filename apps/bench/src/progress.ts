/**
 * The progress bar of a run, on stderr and only when stderr is a terminal
 * (a log file gets the start and end lines alone).
 * @module
 */
import { Presets, SingleBar } from 'cli-progress';

/** Follows one run's requests. */
export interface Progress {
  start(label: string, total: number): void;
  /** A request ended. */
  tick(failed: boolean): void;
  stop(): void;
}

/** A bar on stderr when `enabled`, else nothing. */
export function progressBar(enabled: boolean): Progress {
  if (!enabled) return { start() {}, tick() {}, stop() {} };
  let failed = 0;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: '  {label} |{bar}| {value}/{total} requests, {failed} failed, {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  return {
    start(label, total) {
      failed = 0;
      bar.start(total, 0, { label, failed });
    },
    tick(isFailure) {
      if (isFailure) failed++;
      bar.increment(1, { failed });
    },
    stop() {
      bar.stop();
    },
  };
}
