/**
 * Latency CDFs: for each of TTFT, TPOT, ITL and E2E latency, the fraction of
 * requests (of chunk gaps, for ITL) at or under each latency, one line per
 * run, so runs of a sweep compare at every percentile at once. Latencies are
 * on a log axis.
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { latencySamples, type LatencyMetric } from '../metrics.js';
import type { RunResult } from '../results.js';
import { percentileOfSorted } from '../stats.js';

const PANELS: Readonly<Record<LatencyMetric, string>> = {
  ttft: 'Time to first token (TTFT)',
  tpot: 'Time per output token (TPOT)',
  itl: 'Inter-token latency (ITL)',
  e2el: 'End-to-end latency (E2EL)',
};
/** Points per line: enough for a smooth curve, few enough for a small file. */
const MAX_POINTS = 200;
/**
 * The log axis starts here: chunks read in one network read are 0 ms apart,
 * and a log scale has no 0.
 */
const FLOOR_MS = 0.01;

/** The empirical CDF of `values` as (value, fraction ≤ value) points, thinned to evenly spaced quantiles. */
export function cdfPoints(
  values: readonly number[],
  maxPoints = MAX_POINTS,
): { value: number; fraction: number }[] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n <= maxPoints) return sorted.map((value, i) => ({ value, fraction: (i + 1) / n }));
  return Array.from({ length: maxPoints }, (_, i) => {
    const fraction = (i + 1) / maxPoints;
    return { value: percentileOfSorted(sorted, fraction * 100), fraction };
  });
}

/** The four CDF panels; `subtitle` (lines) names the server, model and workload. */
export function latencyCdfSpec(runs: readonly RunResult[], subtitle: readonly string[]): TopLevelSpec {
  const values = runs.flatMap((run) => {
    const samples = latencySamples(run.requests);
    return (Object.keys(PANELS) as LatencyMetric[]).flatMap((metric) =>
      cdfPoints(samples[metric]).map((p) => ({
        run: run.label || 'run',
        panel: PANELS[metric],
        value: Math.max(p.value, FLOOR_MS),
        fraction: p.fraction,
      })),
    );
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Latency distributions (CDF)', subtitle: [...subtitle] },
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: Object.values(PANELS) },
    columns: 2,
    spec: {
      width: 320,
      height: 200,
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
      encoding: {
        // Log: a tail of slow requests (or one stalled chunk) would squeeze the rest into a corner.
        x: { field: 'value', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
        y: {
          field: 'fraction',
          type: 'quantitative',
          title: 'fraction ≤ latency',
          scale: { domain: [0, 1] },
        },
        color: { field: 'run', type: 'nominal', title: 'run', sort: runs.map((r) => r.label || 'run') },
      },
    },
    resolve: { scale: { x: 'independent' } },
  };
}
