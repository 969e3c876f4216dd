/**
 * vLLM's periodic stats line (its `LoggingStatLogger`) and its preemption
 * warning, read from the engine's counters on a timer: nothing is added to
 * the engine's steps. The stats line is logged at info each interval while
 * there is work, and once more after the engine goes idle; an idle engine
 * logs nothing. Preemptions are summed over the interval, so a burst of them
 * gives one warning.
 * @module
 */
import type { AsyncEngine } from '@x/engine';
import type { Logger } from 'pino';

/** Options of {@link startStatsLog}. */
export interface StatsLogOptions {
  /** How often the counters are read, in ms (vLLM's 10 s). */
  readonly intervalMs: number;
  /** Whether the stats line is logged; preemption warnings are logged either way. */
  readonly logStats: boolean;
}

/** The counters one line is computed from. */
interface Reading {
  readonly atMs: number;
  readonly prefillTokens: number;
  readonly generationTokens: number;
  readonly preemptions: number;
  readonly prefixQueries: number;
  readonly prefixHits: number;
}

/** Starts the timer (unref'd: it never keeps the process alive); returns the function stopping it. */
export function startStatsLog(engine: AsyncEngine, logger: Logger, options: StatsLogOptions): () => void {
  const { stats, scheduler } = engine.core;
  const read = (): Reading => {
    const kv = scheduler.kvCacheUsage();
    return {
      atMs: performance.now(),
      prefillTokens: stats.counters.prefillTokens,
      generationTokens: stats.counters.generationTokens,
      preemptions: stats.counters.preemptions,
      prefixQueries: kv.prefixCacheQueries,
      prefixHits: kv.prefixCacheHits,
    };
  };
  let last = read();
  let wasActive = false;
  const timer = setInterval(() => {
    const now = read();
    const preempted = now.preemptions - last.preemptions;
    if (preempted > 0) logger.warn(preemptionLine(preempted, now.preemptions, now.atMs - last.atMs));
    if (options.logStats) {
      const running = scheduler.numRunning;
      const waiting = scheduler.numWaiting;
      const active =
        running > 0 ||
        waiting > 0 ||
        now.prefillTokens > last.prefillTokens ||
        now.generationTokens > last.generationTokens;
      if (active || wasActive) {
        const usage = scheduler.kvCacheUsage().usage;
        logger.info(statsLine(last, now, running, waiting, usage));
      }
      wasActive = active;
    }
    last = now;
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The line in vLLM's format, throughputs over the interval from `from` to `to`. */
function statsLine(from: Reading, to: Reading, running: number, waiting: number, kvUsage: number): string {
  const seconds = Math.max((to.atMs - from.atMs) / 1000, 1e-9);
  const queries = to.prefixQueries - from.prefixQueries;
  const hitRate = queries > 0 ? (to.prefixHits - from.prefixHits) / queries : 0;
  const fixed = (value: number) => value.toFixed(1);
  return (
    `Engine 000: Avg prompt throughput: ${fixed((to.prefillTokens - from.prefillTokens) / seconds)} tokens/s, ` +
    `Avg generation throughput: ${fixed((to.generationTokens - from.generationTokens) / seconds)} tokens/s, ` +
    `Running: ${running} reqs, Waiting: ${waiting} reqs, ` +
    `GPU KV cache usage: ${fixed(kvUsage * 100)}%, Prefix cache hit rate: ${fixed(hitRate * 100)}%`
  );
}

function preemptionLine(count: number, total: number, intervalMs: number): string {
  return (
    `${count} preemption${count === 1 ? '' : 's'} by recompute mode in the last ${Number((intervalMs / 1000).toPrecision(2))} s ` +
    'because there is not enough KV cache space. This can affect the end-to-end performance. ' +
    'Raise --kv-cache-memory (or --num-gpu-blocks) or lower --max-num-seqs to give requests more KV cache. ' +
    `total_num_cumulative_preemption=${total}`
  );
}
