/**
 * `node src/main.ts < job.json > answer.json`: runs a {@link LlamaCppJob}
 * read from stdin and writes the {@link LlamaCppAnswer} to stdout (logs go to
 * stderr). The engine benchmark spawns it, so llama.cpp runs in a process of
 * its own with nothing else loaded.
 * @module
 */
import { text } from 'node:stream/consumers';
import { runLlamaCpp } from './llama-cpp.ts';
import type { LlamaCppJob } from '../../../packages/engine/bench/protocol.ts';

const job = JSON.parse(await text(process.stdin)) as LlamaCppJob;
process.stdout.write(JSON.stringify(await runLlamaCpp(job)));
