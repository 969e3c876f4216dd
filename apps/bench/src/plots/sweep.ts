/**
 * A sweep at a glance: TTFT and TPOT percentiles (p50, p90, p99) and output
 * throughput against the swept setting (max concurrency, else request rate),
 * on a log₂ axis so 1, 4, 16, 64 are evenly spaced.
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { latencySamples } from '../metrics.js';
import type { RunResult } from '../results.js';
import { percentile } from '../stats.js';

const STATS = [50, 90, 99] as const;

/** Which setting varies across `runs`, and its value in each. */
function sweptAxis(runs: readonly RunResult[]): {
  title: string;
  value: (r: RunResult) => number;
  other?: (r: RunResult) => string;
} {
  const concurrency = new Set(runs.map((r) => r.max_concurrency));
  const rates = new Set(runs.map((r) => r.request_rate));
  const rateText = (r: RunResult) => (r.request_rate === 'inf' ? 'all at once' : `${r.request_rate} req/s`);
  if (concurrency.size > 1) {
    return {
      title: 'max concurrency (requests in flight)',
      value: (r) => r.max_concurrency ?? Infinity,
      ...(rates.size > 1 && { other: rateText }),
    };
  }
  return {
    title: 'request rate (req/s)',
    value: (r) => (r.request_rate === 'inf' ? Infinity : r.request_rate),
  };
}

/** The three panels; `subtitle` (lines) names the server, model and workload. */
export function sweepSpec(runs: readonly RunResult[], subtitle: readonly string[]): TopLevelSpec {
  const axis = sweptAxis(runs);
  const finite = runs.filter((r) => Number.isFinite(axis.value(r)));
  const latency = finite.flatMap((run) => {
    const samples = latencySamples(run.requests);
    return (['ttft', 'tpot'] as const).flatMap((metric) =>
      STATS.map((p) => ({
        x: axis.value(run),
        series: axis.other?.(run) ?? '',
        metric,
        stat: `p${p}`,
        ms: percentile(samples[metric], p),
      })),
    );
  });
  const throughput = finite.map((run) => ({
    x: axis.value(run),
    series: axis.other?.(run) ?? '',
    tokens: run.summary.output_throughput,
  }));
  const ticks = [...new Set(finite.map(axis.value))];
  const x = {
    field: 'x',
    type: 'quantitative',
    title: axis.title,
    scale: { type: 'log', base: 2 },
    axis: { values: ticks, format: '~g' },
  } as const;
  const dash = axis.other ? { strokeDash: { field: 'series', type: 'nominal', title: 'request rate' } } : {};
  const panel = (metric: 'ttft' | 'tpot', title: string) => ({
    title,
    width: 240,
    height: 220,
    transform: [{ filter: `datum.metric === '${metric}'` }],
    mark: { type: 'line', point: true },
    encoding: {
      x,
      y: { field: 'ms', type: 'quantitative', title: 'milliseconds' },
      color: { field: 'stat', type: 'nominal', title: 'percentile', sort: STATS.map((p) => `p${p}`) },
      ...dash,
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Latency and throughput across the sweep', subtitle: [...subtitle] },
    hconcat: [
      { data: { values: latency }, ...panel('ttft', 'Time to first token') },
      { data: { values: latency }, ...panel('tpot', 'Time per output token') },
      {
        title: 'Output throughput',
        width: 240,
        height: 220,
        data: { values: throughput },
        mark: { type: 'line', point: true, color: '#555' },
        encoding: {
          x,
          y: { field: 'tokens', type: 'quantitative', title: 'output tokens per second' },
          ...dash,
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}
