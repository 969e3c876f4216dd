/**
 * @x/bench: the `x-bench` serving benchmark, and its parts for programs:
 * workloads, arrivals, the streaming client, statistics, SLOs and charts.
 * @module
 */
export { runBench, runSettings, type BenchIO, type BenchOutcome, type RunSettings } from './bench.js';
export { buildProgram, resolveOptions, UsageError, type BenchOptions } from './program.js';
export { arrivalOffsets, type ArrivalProcess } from './arrivals.js';
export {
  planWorkload,
  WORKLOADS,
  CHAT_SIGMA,
  CHAT_DEFAULT_LENS,
  type PlannedRequest,
  type WorkloadKind,
  type WorkloadSpec,
} from './workload.js';
export { promptText, type PromptKey } from './prompt-text.js';
export { preparePrompts, type PreparedRequest } from './prompts.js';
export { streamRequest, type StreamOutcome, type Target } from './stream-request.js';
export { runRequests, type RequestRecord, type RunOutput } from './runner.js';
export {
  summarize,
  latencySamples,
  LATENCY_METRICS,
  type BenchSummary,
  type LatencyMetric,
} from './metrics.js';
export { describe, mean, std, percentile, percentileOfSorted, type Distribution } from './stats.js';
export { parseSlo, parseDurationMs, meetsSlo, formatSlo, SloError, type Slo, type SloMetric } from './slo.js';
export { formatRunTable, formatSweepTable } from './report-table.js';
export { writePlots, renderSvg, svgToPng, cdfPoints } from './plots/index.js';
export type { BenchResults, Metadata, RunResult } from './results.js';
export {
  ServerError,
  fetchModels,
  fetchVersion,
  tokenCounter,
  type Endpoint,
  type ServedModel,
} from './server-api.js';
export { perplexity, type PerplexityOptions, type PerplexityResult } from './perplexity.js';
