/**
 * Every chart of a benchmark, written as SVG and PNG.
 * @module
 */
import type { RunResult } from '../results.js';
import { latencyCdfSpec } from './latency-cdf.js';
import { writeChart } from './render.js';
import { sweepSpec } from './sweep.js';
import { timelineSpec } from './timeline.js';

export { renderSvg, svgToPng } from './render.js';
export { cdfPoints } from './latency-cdf.js';

/**
 * Writes `latency-cdf`, `timeline` and, for a sweep of two runs or more,
 * `sweep` (.svg and .png) into `dir`; returns the paths.
 */
export async function writePlots(
  dir: string,
  runs: readonly RunResult[],
  subtitle: readonly string[],
): Promise<string[]> {
  const charts = [
    ['latency-cdf', latencyCdfSpec(runs, subtitle)],
    ['timeline', timelineSpec(runs, subtitle)],
    ...(runs.length > 1 ? [['sweep', sweepSpec(runs, subtitle)] as const] : []),
  ] as const;
  const paths: string[] = [];
  for (const [name, spec] of charts) paths.push(...(await writeChart(dir, name, spec)));
  return paths;
}
