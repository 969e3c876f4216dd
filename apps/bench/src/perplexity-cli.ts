#!/usr/bin/env node
/**
 * `x-perplexity --file text.txt`: the perplexity of a text under a served
 * model, computed as llama.cpp's `llama-perplexity` computes it (same windows,
 * same scored half, same `Final estimate` line), so the two compare. Progress
 * goes to stderr; bad flags exit 2, a server or text problem exits 1.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import * as parse from './parsers.js';
import { perplexity } from './perplexity.js';
import { fetchModels, ServerError } from './server-api.js';
import { runMain } from './run-main.js';

/** Runs the command line; resolves with the exit status. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = new Command('x-perplexity')
    .description(
      "Perplexity of a text under an OpenAI-compatible server's model, as llama-perplexity computes it.",
    )
    .requiredOption('-f, --file <path>', 'the text to score')
    .option('--base-url <url>', 'the server', 'http://127.0.0.1:8000')
    .option('--model <name>', 'the served model (default: the first the server lists)')
    .addOption(new Option('-c, --ctx-size <n>', 'tokens per window').argParser(parse.integer(2)).default(512))
    .addOption(new Option('--chunks <n>', 'score at most this many windows').argParser(parse.integer(1)))
    .option('--api-key <key>', 'sent as a bearer token')
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const flags = program.opts<{
    file: string;
    baseUrl: string;
    model?: string;
    ctxSize: number;
    chunks?: number;
    apiKey?: string;
  }>();
  const conn = { baseUrl: flags.baseUrl.replace(/\/+$/, ''), ...(flags.apiKey && { apiKey: flags.apiKey }) };
  try {
    const text = readFileSync(flags.file, 'utf8');
    const model = flags.model ?? (await fetchModels(conn))[0]!.id;
    const result = await perplexity({
      conn,
      model,
      text,
      ctx: flags.ctxSize,
      ...(flags.chunks && { maxChunks: flags.chunks }),
      // As llama.cpp prints it: [1]5.1234,[2]5.0123,…
      onChunk: (chunk, ppl) => process.stderr.write(`${chunk > 1 ? ',' : ''}[${chunk}]${ppl.toFixed(4)}`),
    });
    process.stderr.write('\n');
    process.stdout.write(
      `${model}: ${result.chunks} chunks of ${flags.ctxSize} tokens, ${result.tokens} scored\n` +
        `Final estimate: PPL = ${result.ppl.toFixed(4)} +/- ${result.error.toFixed(5)}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ServerError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`x-perplexity: error: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

runMain('x-perplexity', () => main());
