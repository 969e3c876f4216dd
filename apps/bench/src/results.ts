/**
 * The results file, `results.json`: everything measured and everything
 * needed to run the same benchmark again (flags, seed, server, machine).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import type { BenchSummary } from './metrics.js';
import type { RequestRecord } from './runner.js';

/** One run of the benchmark (one point of a sweep). */
export interface RunResult {
  /** `concurrency 4`, `rate 2 req/s`, or '' for a single run. */
  readonly label: string;
  /** The client's in-flight limit; null for none. */
  readonly max_concurrency: number | null;
  /** Requests per second, or `inf` when all were sent at once (vLLM writes it so). */
  readonly request_rate: number | 'inf';
  readonly burstiness: number;
  readonly summary: BenchSummary;
  /** Every request of the run, in workload order. */
  readonly requests: readonly RequestRecord[];
}

/** Where, when and how the benchmark ran. */
export interface Metadata {
  readonly tool: { readonly name: 'x-bench'; readonly version: string };
  /** ISO 8601, when the benchmark started. */
  readonly start_time: string;
  readonly server: {
    readonly base_url: string;
    readonly model: string;
    readonly endpoint: string;
    /** The body of `GET /version`, null when the server has none. */
    readonly version: unknown;
    /** Whether prompts were fitted with the server's `/tokenize` (else estimated). */
    readonly tokenize: boolean;
  };
  readonly seed: number;
  /** Every setting, after defaults (the API key left out). */
  readonly flags: Readonly<Record<string, unknown>>;
  /** The command line, API key masked. */
  readonly argv: readonly string[];
  readonly machine: {
    readonly os: string;
    readonly arch: string;
    readonly cpu: string;
    readonly cpus: number;
    readonly memory_bytes: number;
    readonly free_memory_bytes: number;
    readonly node: string;
  };
}

/** The whole file. */
export interface BenchResults {
  readonly metadata: Metadata;
  /** The warm-up requests (not in any summary). */
  readonly warmup: readonly RequestRecord[];
  readonly runs: readonly RunResult[];
}

/** This machine, for the metadata. */
export function machineInfo(): Metadata['machine'] {
  const cores = cpus();
  return {
    os: `${osType()} ${release()}`,
    arch: process.arch,
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cpus: cores.length,
    memory_bytes: totalmem(),
    free_memory_bytes: freemem(),
    node: process.version,
  };
}

/** Writes `results.json` into `dir` (created if need be); returns its path. */
export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'results.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
