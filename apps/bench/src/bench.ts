/**
 * A whole benchmark: asks the server for its model, version and tokenizer,
 * draws the workload, warms up, runs once per setting of the sweep (each run
 * with its own prompts of the same lengths, so no run hits another's cached
 * prefixes), summarizes, and writes the results file and the charts.
 * @module
 */
import { arrivalOffsets } from './arrivals.js';
import { summarize } from './metrics.js';
import { writePlots } from './plots/index.js';
import type { BenchOptions } from './program.js';
import { VERSION } from './program.js';
import { progressBar, type Progress } from './progress.js';
import { preparePrompts } from './prompts.js';
import { machineInfo, writeResults, type BenchResults, type RunResult } from './results.js';
import { runRequests } from './runner.js';
import { ENDPOINT_PATHS, fetchModels, fetchVersion, tokenCounter, type Connection } from './server-api.js';
import type { Target } from './stream-request.js';
import { capToContext, planWorkload } from './workload.js';

/** One point of the sweep. */
export interface RunSettings {
  readonly label: string;
  readonly maxConcurrency?: number;
  readonly requestRate: number;
}

/** Where the benchmark reports as it goes. */
export interface BenchIO {
  /** A line of progress for a person (stderr). */
  log(line: string): void;
  /** Show a progress bar (stderr is a terminal). */
  readonly progress: boolean;
  /** The command line, for the metadata. */
  readonly argv: readonly string[];
}

/** What a benchmark produced. */
export interface BenchOutcome {
  readonly results: BenchResults;
  /** `results.json`. */
  readonly resultsPath: string;
  /** The charts' SVG and PNG files. */
  readonly plotPaths: readonly string[];
}

/** The runs of the sweep: every max concurrency × every request rate (one run when nothing is swept). */
export function runSettings(o: BenchOptions): RunSettings[] {
  const limits: (number | undefined)[] = o.sweepConcurrency ? [...o.sweepConcurrency] : [o.maxConcurrency];
  const rates = o.sweepRequestRate ?? [o.requestRate];
  return limits.flatMap((maxConcurrency) =>
    rates.map((requestRate) => {
      const parts = [
        ...(maxConcurrency !== undefined ? [`concurrency ${maxConcurrency}`] : []),
        ...(requestRate !== Infinity ? [`rate ${requestRate} req/s`] : []),
      ];
      return { label: parts.join(', ') || 'all at once', maxConcurrency, requestRate };
    }),
  );
}

function flagsOf(o: BenchOptions): Record<string, unknown> {
  const { apiKey: _apiKey, ...flags } = o;
  return { ...flags, requestRate: o.requestRate === Infinity ? 'inf' : o.requestRate };
}

const maskKey = (argv: readonly string[]) =>
  argv.map((arg, i) => (argv[i - 1] === '--api-key' ? '***' : arg.replace(/^(--api-key=).*/, '$1***')));

/** Runs the benchmark `o` describes; throws `ServerError` when the server cannot be used. */
export async function runBench(o: BenchOptions, io: BenchIO): Promise<BenchOutcome> {
  const startTime = new Date();
  const conn: Connection = { baseUrl: o.baseUrl, ...(o.apiKey !== undefined && { apiKey: o.apiKey }) };
  const models = await fetchModels(conn);
  const model = o.model ?? models[0]!.id;
  const maxModelLen = models.find((m) => m.id === model)?.maxModelLen;
  const version = (await fetchVersion(conn)) ?? null;
  const counter = await tokenCounter(conn, model, o.endpoint);
  io.log(
    `x-bench: ${model} at ${o.baseUrl} (${o.endpoint}); prompt lengths ${counter ? 'fitted with /tokenize' : 'estimated (no /tokenize)'}`,
  );
  const target: Target = {
    ...conn,
    model,
    endpoint: o.endpoint,
    ignoreEos: o.ignoreEos,
    timeoutMs: o.requestTimeout * 1000,
  };
  let planned = planWorkload({ ...o, kind: o.workload }, o.seed);
  if (maxModelLen !== undefined) {
    const fitted = capToContext(planned, maxModelLen);
    planned = fitted.requests;
    if (fitted.capped > 0)
      io.log(
        `x-bench: ${fitted.capped} of ${planned.length} requests cut to the model's context (max_model_len ${maxModelLen})`,
      );
  }
  const settings = runSettings(o);
  const progress: Progress = progressBar(io.progress);
  const run = async (
    label: string,
    requests: Parameters<typeof runRequests>[1],
    offsets: number[],
    limit?: number,
  ) => {
    progress.start(label, requests.length);
    try {
      return await runRequests(target, requests, offsets, limit, (r) => progress.tick(!r.success));
    } finally {
      progress.stop();
    }
  };

  let warmup: BenchResults['warmup'] = [];
  if (o.warmup > 0) {
    io.log(`x-bench: warming up with ${o.warmup} requests`);
    const lengths = Array.from({ length: o.warmup }, (_, i) => ({
      ...planned[i % planned.length]!,
      index: i,
    }));
    const requests = await preparePrompts(lengths, { seed: o.seed, run: 'warmup', counter });
    warmup = (
      await run('warm-up', requests, new Array<number>(o.warmup).fill(0), settings[0]!.maxConcurrency)
    ).records;
  }

  const runs: RunResult[] = [];
  for (const [k, s] of settings.entries()) {
    const requests = await preparePrompts(planned, { seed: o.seed, run: k, counter });
    const offsets = arrivalOffsets(
      planned.length,
      { requestRate: s.requestRate, burstiness: o.burstiness },
      o.seed,
    );
    io.log(`x-bench: run ${k + 1}/${settings.length}: ${s.label}, ${requests.length} requests`);
    const out = await run(s.label, requests, offsets, s.maxConcurrency);
    runs.push({
      label: s.label,
      max_concurrency: s.maxConcurrency ?? null,
      request_rate: s.requestRate === Infinity ? 'inf' : s.requestRate,
      burstiness: o.burstiness,
      summary: summarize(out.records, out.durationS, {
        percentiles: o.metricPercentiles,
        ...(o.slo && { slo: o.slo }),
      }),
      requests: out.records,
    });
  }

  const results: BenchResults = {
    metadata: {
      tool: { name: 'x-bench', version: VERSION },
      start_time: startTime.toISOString(),
      server: { base_url: o.baseUrl, model, endpoint: o.endpoint, version, tokenize: counter !== undefined },
      seed: o.seed,
      flags: flagsOf(o),
      argv: maskKey(io.argv),
      machine: machineInfo(),
    },
    warmup,
    runs,
  };
  const resultsPath = writeResults(o.outputDir, results);
  const subtitle = [
    `${model} at ${o.baseUrl}, ${ENDPOINT_PATHS[o.endpoint]}`,
    `${o.workload} workload: ${o.numPrompts} requests of ${o.inputLen} → ${o.outputLen} tokens` +
      `${o.workload === 'fixed' ? '' : ' (mean)'}; seed ${o.seed}; ${startTime.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  ];
  const plotPaths = o.plots ? await writePlots(o.outputDir, runs, subtitle) : [];
  return { results, resultsPath, plotPaths };
}
