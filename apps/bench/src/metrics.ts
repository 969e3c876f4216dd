/**
 * A run's summary, under the names vLLM's `bench serve` writes to its result
 * JSON (`request_throughput`, `mean_ttft_ms`, `p99_tpot_ms`…) and with its
 * definitions: every latency over the successful requests, throughputs over
 * the run's wall time, ITL over all chunk gaps of all requests.
 * @module
 */
import type { RequestRecord } from './runner.js';
import { meetsSlo, type Slo } from './slo.js';
import { describe, type Distribution } from './stats.js';

/** The per-request latency metrics. */
export const LATENCY_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** A run's totals and rates. */
export interface BenchTotals {
  /** Wall time of the run, s. */
  readonly duration: number;
  readonly completed: number;
  readonly failed: number;
  readonly total_input_tokens: number;
  readonly total_output_tokens: number;
  /** Completed requests per second. */
  readonly request_throughput: number;
  /** Completed requests meeting every SLO, per second; null without `--slo`. */
  readonly request_goodput: number | null;
  /** Output tokens per second. */
  readonly output_throughput: number;
  /** Input and output tokens per second. */
  readonly total_token_throughput: number;
  /** The most text chunks received in one wall-clock second. */
  readonly max_output_tokens_per_s: number;
  /** The most requests in flight at once (send to last token). */
  readonly max_concurrent_requests: number;
  /** Failure reasons (numbers but the HTTP status masked as N, so like failures group) and how many requests each ended. */
  readonly errors: Readonly<Record<string, number>>;
}

/** `mean_ttft_ms`, `median_tpot_ms`, `std_itl_ms`… */
type MomentKey = `${'mean' | 'median' | 'std'}_${LatencyMetric}_ms`;
/** `p99_ttft_ms`, `p99.9_itl_ms`… for the percentiles asked for. */
type PercentileKey = `p${number}_${LatencyMetric}_ms`;

/** A run's figures, under vLLM's result-file names. */
export type BenchSummary = BenchTotals & { readonly [K in MomentKey]: number } & {
  readonly [K in PercentileKey]: number;
};

/** The key vLLM uses for a percentile: `p99`, `p99.9`. */
export const percentileKey = (p: number): `p${number}` => `p${p}`;

/** Each latency metric's samples, ms, over the successful requests. */
export function latencySamples(records: readonly RequestRecord[]): Record<LatencyMetric, number[]> {
  const ok = records.filter((r) => r.success);
  return {
    ttft: ok.map((r) => r.ttft_ms!),
    tpot: ok.flatMap((r) => (r.tpot_ms === null ? [] : [r.tpot_ms])),
    itl: ok.flatMap((r) => r.itl_ms),
    e2el: ok.map((r) => r.e2el_ms!),
  };
}

/** Peak chunks per wall-clock second, counted in one-second buckets from the first send (as vLLM does). */
function peakChunksPerSecond(ok: readonly RequestRecord[]): number {
  if (ok.length === 0) return 0;
  const origin = Math.min(...ok.map((r) => r.start_s));
  const buckets = new Map<number, number>();
  for (const r of ok) {
    let t = r.start_s + r.ttft_ms! / 1000;
    const times = [t, ...r.itl_ms.map((gap) => (t += gap / 1000))];
    for (const time of times) {
      const b = Math.floor(time - origin);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
  }
  return Math.max(...buckets.values());
}

/** The most requests in flight at once: a sweep over [send, last token), ends before starts. */
function peakConcurrency(ok: readonly RequestRecord[]): number {
  const events = ok.flatMap((r) => [
    [r.start_s, 1],
    [r.start_s + r.e2el_ms! / 1000, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (now += delta!));
  return peak;
}

/** An error with its numbers (but the HTTP status) masked, so that like failures group together. */
export const failureReason = (error: string): string =>
  error.replace(
    /^(HTTP \d+)?(.*)$/s,
    (_, status: string | undefined, rest: string) => `${status ?? ''}${rest.replace(/\d+(\.\d+)?/g, 'N')}`,
  );

/** Summarizes a run of `durationS` seconds; `percentiles` (0–100) name the `pNN_*_ms` keys. */
export function summarize(
  records: readonly RequestRecord[],
  durationS: number,
  options: { readonly percentiles: readonly number[]; readonly slo?: Slo },
): BenchSummary {
  const ok = records.filter((r) => r.success);
  const errors: Record<string, number> = {};
  for (const r of records) {
    if (r.error === null) continue;
    const reason = failureReason(r.error);
    errors[reason] = (errors[reason] ?? 0) + 1;
  }
  const input = ok.reduce((sum, r) => sum + r.prompt_tokens, 0);
  const output = ok.reduce((sum, r) => sum + r.output_tokens, 0);
  const { slo } = options;
  const good = slo
    ? ok.filter((r) => meetsSlo({ ttft: r.ttft_ms!, tpot: r.tpot_ms ?? 0, e2el: r.e2el_ms! }, slo)).length
    : 0;
  const latency = {} as Record<MomentKey | PercentileKey, number>;
  const samples = latencySamples(records);
  for (const metric of LATENCY_METRICS) {
    const d: Distribution = describe(samples[metric], options.percentiles);
    latency[`mean_${metric}_ms`] = d.mean;
    latency[`median_${metric}_ms`] = d.median;
    latency[`std_${metric}_ms`] = d.std;
    for (const [p, value] of d.percentiles) latency[`${percentileKey(p)}_${metric}_ms`] = value;
  }
  return {
    duration: durationS,
    completed: ok.length,
    failed: records.length - ok.length,
    total_input_tokens: input,
    total_output_tokens: output,
    request_throughput: ok.length / durationS,
    request_goodput: slo ? good / durationS : null,
    output_throughput: output / durationS,
    total_token_throughput: (input + output) / durationS,
    max_output_tokens_per_s: peakChunksPerSecond(ok),
    max_concurrent_requests: peakConcurrency(ok),
    errors,
    ...latency,
  };
}
