/**
 * Runs a {@link LlamaCppJob} on llama.cpp's CPU backend through node-llama-cpp:
 * one context with a sequence per concurrent prompt, so concurrent sequences
 * are decoded together in llama.cpp batches.
 * @module
 */
import { readFileSync } from 'node:fs';
import { getLlama, LlamaLogLevel, type LlamaContextSequence, type Token } from 'node-llama-cpp';
import {
  BatchRecorder,
  type BatchRun,
  type BatchTiming,
  type LlamaCppAnswer,
  type LlamaCppJob,
} from '../../../packages/engine/bench/protocol.ts';

/** The node-llama-cpp version installed beside this package. */
function nodeLlamaCppVersion(): string {
  const url = new URL('../node_modules/node-llama-cpp/package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** Runs every batch of `job` in order on a fresh model and context. */
export async function runLlamaCpp(job: LlamaCppJob): Promise<LlamaCppAnswer> {
  // gpu: false, since with lavapipe installed `auto` would pick Vulkan, i.e. lavapipe itself.
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    maxThreads: job.threads,
    logLevel: LlamaLogLevel.warn,
    logger: (_level, message) => process.stderr.write(`llama.cpp: ${message}\n`),
  });
  const model = await llama.loadModel({ modelPath: job.modelPath });
  const context = await model.createContext({
    sequences: job.sequences,
    contextSize: job.contextSize,
    batchSize: job.batchSize,
    threads: { ideal: job.threads, min: job.threads },
  });
  const sequences = Array.from({ length: job.sequences }, () => context.getSequence());
  const timings: BatchTiming[] = [];
  for (const run of job.runs) timings.push(await runBatch(sequences, run));
  const answer: LlamaCppAnswer = {
    nodeLlamaCppVersion: nodeLlamaCppVersion(),
    llamaCppRelease: llama.llamaCppRelease.release,
    flashAttention: context.flashAttention,
    timings,
    ...(job.score && { scores: await score(sequences[0]!, job.score as Token[]) }),
  };
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return answer;
}

/**
 * The log-probability of each token after those before it, from llama.cpp's raw logits: the
 * next token's logit, the largest, and the sum of exp(logit - largest) over the vocabulary.
 */
async function score(sequence: LlamaContextSequence, tokens: readonly Token[]): Promise<number[]> {
  await sequence.clearHistory();
  const input = tokens.map((token, i) =>
    i + 1 < tokens.length
      ? ([
          token,
          {
            generateNext: {
              logits: true,
              // No sampler stage may narrow the distribution (top-k defaults to 40).
              options: { temperature: 1, topK: 0, topP: 1, minP: 0 },
            },
          },
        ] as const)
      : token,
  );
  const out = await sequence.controlledEvaluate(input as Parameters<typeof sequence.controlledEvaluate>[0]);
  return tokens.slice(1).map((next, i) => {
    const logits = [...out[i]!.next.logits!.values()];
    const max = Math.max(...logits);
    const sum = logits.reduce((s, l) => s + Math.exp(l - max), 0);
    return out[i]!.next.logits!.get(next)! - max - Math.log(sum);
  });
}

/** Starts every prompt of `run` at once on its own sequence and collects token arrival times. */
async function runBatch(all: readonly LlamaContextSequence[], run: BatchRun): Promise<BatchTiming> {
  const sequences = all.slice(0, run.prompts.length);
  await Promise.all(sequences.map((s) => s.clearHistory()));
  const recorder = new BatchRecorder(sequences.length);
  await Promise.all(
    sequences.map(async (sequence, i) => {
      let left = run.maxTokens;
      const prompt = run.prompts[i] as Token[];
      // Greedy; yieldEogToken keeps generating past EOS, like ignore_eos.
      for await (const token of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
        recorder.tokens(i, [token]);
        if (--left === 0) break;
      }
    }),
  );
  return recorder.finish();
}
