/**
 * The run's timeline: one bar per request, from its arrival to its last
 * token, in three phases (waiting for a client concurrency slot, waiting for
 * the first token, streaming), failures in red; one panel per run.
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../results.js';

const PHASES: readonly string[] = [
  'queued in client',
  'waiting for first token',
  'streaming tokens',
  'failed',
];
const COLORS = ['#c7c7c7', '#f2a93b', '#4c78a8', '#e45756'];

interface Bar {
  readonly run: string;
  readonly request: number;
  readonly phase: string;
  readonly from: number;
  readonly to: number;
}

/** The timeline panels; `subtitle` (lines) names the server, model and workload. */
export function timelineSpec(runs: readonly RunResult[], subtitle: readonly string[]): TopLevelSpec {
  const values = runs.flatMap((run) => {
    const bySend = [...run.requests].sort((a, b) => a.start_s - b.start_s);
    return bySend.flatMap((r, order): Bar[] => {
      const base = { run: run.label || 'run', request: order + 1 };
      const queuedFrom = r.start_s - r.queue_ms / 1000;
      const bars: Bar[] = [{ ...base, phase: PHASES[0]!, from: queuedFrom, to: r.start_s }];
      if (!r.success) return [...bars, { ...base, phase: PHASES[3]!, from: r.start_s, to: r.end_s }];
      const first = r.start_s + r.ttft_ms! / 1000;
      return [
        ...bars,
        { ...base, phase: PHASES[1]!, from: r.start_s, to: first },
        { ...base, phase: PHASES[2]!, from: first, to: r.start_s + r.e2el_ms! / 1000 },
      ];
    });
  });
  const requests = Math.max(1, ...runs.map((r) => r.requests.length));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Request timeline', subtitle: [...subtitle] },
    data: { values },
    facet: {
      row: {
        field: 'run',
        type: 'nominal',
        title: null,
        sort: runs.map((r) => r.label || 'run'),
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: 640,
      height: Math.min(260, Math.max(120, requests * 4)),
      mark: { type: 'bar', height: { band: 0.8 } },
      encoding: {
        x: { field: 'from', type: 'quantitative', title: 'seconds since the run started' },
        x2: { field: 'to' },
        y: {
          field: 'request',
          type: 'ordinal',
          title: 'requests',
          axis: { labels: false, ticks: false, domain: false },
        },
        color: {
          field: 'phase',
          type: 'nominal',
          title: 'phase',
          scale: { domain: [...PHASES], range: COLORS },
        },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}
