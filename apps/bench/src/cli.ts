#!/usr/bin/env node
/**
 * `x-bench`: parses the flags, runs the benchmark, prints vLLM's summary
 * table for each run (and a comparison line per run for a sweep), and says
 * where the results and charts went. Bad flags exit 2; a server that cannot
 * be reached, a run in which no request succeeded, or any failed request
 * exits 1 (the results are written first).
 * @module
 */
import { CommanderError } from 'commander';
import { runBench } from './bench.js';
import { buildProgram, resolveOptions, UsageError, type BenchOptions } from './program.js';
import { formatRunTable, formatSweepTable } from './report-table.js';
import { ServerError } from './server-api.js';
import { runMain } from './run-main.js';

const USAGE_ERROR = 2;

/** Runs the command line; resolves with the exit status. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  let options: BenchOptions;
  try {
    program.parse(argv);
    options = resolveOptions(program, new Date());
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    if (error instanceof UsageError) {
      process.stderr.write(`x-bench: error: ${error.message}\n`);
      return USAGE_ERROR;
    }
    throw error;
  }

  try {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const { results, resultsPath, plotPaths } = await runBench(options, {
      log,
      progress: process.stderr.isTTY === true,
      argv: argv.slice(2),
    });
    for (const run of results.runs)
      process.stdout.write(`${formatRunTable(run, options.metricPercentiles)}\n`);
    if (results.runs.length > 1) process.stdout.write(`\n${formatSweepTable(results.runs)}\n`);
    log(`x-bench: results in ${resultsPath}`);
    if (plotPaths.length > 0) log(`x-bench: plots ${plotPaths.join(', ')}`);
    const empty = results.runs.filter((r) => r.summary.completed === 0);
    if (empty.length > 0) {
      log(`x-bench: error: no request succeeded in ${empty.map((r) => r.label).join('; ')}`);
      return 1;
    }
    const failing = results.runs.filter((r) => r.summary.failed > 0);
    if (failing.length > 0) {
      const counts = failing.map((r) => `${r.summary.failed} of ${r.requests.length} in ${r.label}`);
      log(`x-bench: error: requests failed: ${counts.join('; ')}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof ServerError) {
      process.stderr.write(`x-bench: error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

runMain('x-bench', () => main());
