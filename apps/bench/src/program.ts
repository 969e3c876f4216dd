/**
 * The `x-bench` command line: flags named after vLLM's `bench serve` where it
 * has them, parsed into {@link BenchOptions}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import * as parse from './parsers.js';
import { ENDPOINTS, type Endpoint } from './server-api.js';
import type { Slo } from './slo.js';
import { CHAT_DEFAULT_LENS, WORKLOADS, type WorkloadKind } from './workload.js';

/** The package version, for `--version` and the results file. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Default lengths of the fixed and random workloads (the chat workload's are ShareGPT's means). */
export const DEFAULT_LENS = { input: 256, output: 128 } as const;

/** Every setting of a benchmark, after defaults. */
export interface BenchOptions {
  readonly baseUrl: string;
  /** Undefined: the first model the server lists. */
  readonly model?: string;
  readonly endpoint: Endpoint;
  readonly apiKey?: string;
  readonly workload: WorkloadKind;
  readonly inputLen: number;
  readonly outputLen: number;
  readonly rangeRatio: number;
  readonly numPrompts: number;
  /** Requests per second; `Infinity`: all at once. */
  readonly requestRate: number;
  readonly burstiness: number;
  readonly maxConcurrency?: number;
  readonly sweepConcurrency?: readonly number[];
  readonly sweepRequestRate?: readonly number[];
  readonly warmup: number;
  readonly seed: number;
  readonly slo?: Slo;
  readonly metricPercentiles: readonly number[];
  readonly ignoreEos: boolean;
  /** Seconds. */
  readonly requestTimeout: number;
  readonly outputDir: string;
  readonly plots: boolean;
}

/** Settings that parse alone but not together. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command; parse errors throw (`exitOverride`) so the caller picks the exit status. */
export function buildProgram(): Command {
  return new Command('x-bench')
    .description(
      'Benchmark an OpenAI-compatible server: latency (TTFT, TPOT, ITL, E2EL), throughput and goodput.',
    )
    .version(VERSION)
    .option('--base-url <url>', 'the server', parse.baseUrl, 'http://127.0.0.1:8000')
    .option('--model <name>', 'the model to ask for (default: the first of /v1/models)')
    .addOption(new Option('--endpoint <kind>', 'the API to drive').choices(ENDPOINTS).default('completions'))
    .addOption(new Option('--api-key <key>', 'sent as a bearer token').env('OPENAI_API_KEY'))
    .addOption(
      new Option('--workload <kind>', 'prompt and output lengths').choices(WORKLOADS).default('fixed'),
    )
    .option(
      '--input-len <tokens>',
      `prompt tokens (random: the centre; chat: the mean) (default: ${DEFAULT_LENS.input}, chat ${CHAT_DEFAULT_LENS.input})`,
      parse.integer(1),
    )
    .option(
      '--output-len <tokens>',
      `output tokens (default: ${DEFAULT_LENS.output}, chat ${CHAT_DEFAULT_LENS.output})`,
      parse.integer(1),
    )
    .option('--range-ratio <r>', 'random workload: lengths uniform in len·(1 ± r)', parse.ratio, 0.5)
    .option('--num-prompts <n>', 'requests per run', parse.integer(1), 100)
    .addOption(
      new Option('--request-rate <rate>', 'requests per second (Poisson arrivals), or inf for all at once')
        .argParser(parse.rate)
        .default(Infinity, 'inf'),
    )
    .option('--burstiness <b>', 'gamma shape of the gaps between arrivals (1: Poisson)', parse.positive, 1)
    .option('--max-concurrency <n>', 'most requests in flight at once (default: no limit)', parse.integer(1))
    .option(
      '--sweep-concurrency <list>',
      'one run per max concurrency, e.g. 1,4,16,64',
      parse.list(parse.integer(1)),
    )
    .option('--sweep-request-rate <list>', 'one run per request rate, e.g. 1,2,4', parse.list(parse.rate))
    .option('--warmup <n>', 'requests sent first and left out of every figure', parse.integer(0), 0)
    .option('--seed <n>', 'seeds lengths, prompts and arrivals', parse.integer(0), 0)
    .option('--slo <objectives>', 'goodput objectives, e.g. ttft=200ms,tpot=50ms,e2e=2s', parse.slo)
    .addOption(
      new Option('--metric-percentiles <list>', 'percentiles to report')
        .argParser(parse.list(parse.percentileValue))
        .default([50, 90, 99], '50,90,99'),
    )
    .option('--no-ignore-eos', 'do not send ignore_eos (outputs may end before --output-len)')
    .option('--request-timeout <seconds>', 'a request still running after this fails', parse.positive, 600)
    .option(
      '--output-dir <dir>',
      'where results.json and the plots go (default: ./bench-results/<timestamp>)',
    )
    .option('--no-plots', 'skip the SVG/PNG charts')
    .exitOverride()
    .showHelpAfterError('(run x-bench --help for every option)');
}

/** The parsed settings, after defaults and cross-checks; `now` names the default output folder. */
export function resolveOptions(program: Command, now: Date): BenchOptions {
  const o = program.opts<
    Omit<BenchOptions, 'outputDir'> & { outputDir?: string; inputLen?: number; outputLen?: number }
  >();
  if (o.sweepConcurrency && o.maxConcurrency !== undefined) {
    throw new UsageError('give --max-concurrency or --sweep-concurrency, not both');
  }
  if (o.sweepRequestRate && program.getOptionValueSource('requestRate') === 'cli') {
    throw new UsageError('give --request-rate or --sweep-request-rate, not both');
  }
  const lens = o.workload === 'chat' ? CHAT_DEFAULT_LENS : DEFAULT_LENS;
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replaceAll(':', '-');
  return {
    ...o,
    inputLen: o.inputLen ?? lens.input,
    outputLen: o.outputLen ?? lens.output,
    outputDir: o.outputDir ?? join('bench-results', stamp),
  };
}
