/**
 * Hands a validated request to the engine: checks every prompt with the
 * engine's own rules, applies the pending-queue limit, fires `onHandoff`,
 * starts one engine request per prompt, and merges their outputs into the
 * response's choices.
 * @module
 */
import type { GenerationOutput, SamplingOptions } from '@x/engine';
import type { RequestJourney } from '../request-journey.js';
import type { ServerContext } from '../server-context.js';
import { admit } from './admission.js';
import type { ChoiceOutput } from './choices.js';
import { ClientGoneError } from './outcome.js';

/** A request ready for the engine. */
export interface GenerationPlan {
  /** Token ids of each prompt (one, except for batched completions). */
  readonly prompts: readonly (readonly number[])[];
  readonly sampling: SamplingOptions;
  /** The served model name the response reports. */
  readonly model: string;
  readonly stream: boolean;
  /** Lower is served first under the priority policy (the request's `priority`). */
  readonly priority?: number;
}

/** A request running in the engine. */
export interface Generation {
  /** Choices in the response: prompts × n. */
  readonly choices: number;
  readonly promptTokens: number;
  /** Every choice's outputs, interleaved as they come; fires `onFirstResponse` on the first. */
  readonly outputs: AsyncIterable<ChoiceOutput>;
  /** Aborted once the client is gone: it disconnected, or was cut off by {@link abort}. */
  readonly signal: AbortSignal;
  /** Gives up on the client (it stopped reading): every engine request is aborted, as on a disconnect. */
  abort(reason: string): void;
}

/**
 * Starts `plan`. Throws (before anything is queued) an `EngineInputError`
 * for bad parameters or too-long prompts, the refusal of {@link admit}, or a
 * {@link ClientGoneError} when `signal` (the client's connection) has already
 * fired; once queued, `signal` aborts every engine request at once.
 */
export function startGeneration(
  ctx: ServerContext,
  journey: RequestJourney,
  signal: AbortSignal,
  plan: GenerationPlan,
): Generation {
  // The client may have left while the body was read or the prompt tokenized.
  if (signal.aborted) throw new ClientGoneError();
  const { engine } = ctx;
  const { prompts, sampling } = plan;
  for (const prompt of prompts) engine.validate(prompt, sampling);
  const n = sampling.n ?? 1;
  admit(ctx, { prompts: prompts.length, n, priority: plan.priority });
  const promptTokens = prompts.reduce((sum, p) => sum + p.length, 0);
  journey.handoff({
    model: plan.model,
    promptTokens,
    maxTokens: sampling.maxTokens,
    temperature: sampling.temperature,
    topP: sampling.topP,
    ...(sampling.topK !== undefined && { topK: sampling.topK }),
    ...(sampling.seed !== undefined && { seed: sampling.seed }),
    ...(sampling.presencePenalty !== undefined && { presencePenalty: sampling.presencePenalty }),
    ...(sampling.frequencyPenalty !== undefined && { frequencyPenalty: sampling.frequencyPenalty }),
    n,
    stream: plan.stream,
  });
  ctx.metrics.observeRequestParams(n, sampling.maxTokens);
  const id = journey.info.requestId;
  const traceHeaders = journey.engineTraceHeaders();
  const cutOff = new AbortController();
  const gone = AbortSignal.any([signal, cutOff.signal]);
  const streams: AsyncIterableIterator<GenerationOutput>[] = [];
  try {
    prompts.forEach((prompt, i) => {
      const requestId = prompts.length === 1 ? id : `${id}-${i}`;
      // Should `gone` fire before this call (in an `onHandoff` hook), the engine ends the request at once.
      streams.push(
        engine.generate(prompt, sampling, { requestId, traceHeaders, signal: gone, priority: plan.priority }),
      );
    });
  } catch (error) {
    for (const s of streams) void s.return?.();
    throw error;
  }
  const outputs = observed(merge(streams, n), n, journey, (tokens) =>
    ctx.metrics.observeMaxGenerationTokens(tokens),
  );
  return {
    choices: prompts.length * n,
    promptTokens,
    outputs,
    signal: gone,
    abort: (reason) => cutOff.abort(reason),
  };
}

/** The outputs of several engine requests, as they come, placed among the choices. */
async function* merge(
  streams: readonly AsyncIterableIterator<GenerationOutput>[],
  n: number,
): AsyncGenerator<ChoiceOutput> {
  const next = (prompt: number) => streams[prompt]!.next().then((result) => ({ prompt, result }));
  const pending = new Map(streams.map((_, prompt) => [prompt, next(prompt)]));
  try {
    while (pending.size > 0) {
      const { prompt, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(prompt);
        continue;
      }
      pending.set(prompt, next(prompt));
      yield { choice: prompt * n + result.value.index, prompt, output: result.value };
    }
  } finally {
    // Leaving early (an error, a failed write) aborts whatever is still running.
    for (const s of streams) void s.return?.();
  }
}

/**
 * Passes the outputs on, firing `onFirstResponse` on the first and, as vLLM does per parent
 * request, reporting the longest choice of each prompt once all its `n` choices have finished.
 */
async function* observed(
  outputs: AsyncIterable<ChoiceOutput>,
  n: number,
  journey: RequestJourney,
  onPromptFinished: (maxGenerationTokens: number) => void,
) {
  const longest = new Map<number, { tokens: number; finished: number }>();
  for await (const item of outputs) {
    journey.firstResponse();
    const { prompt, output } = item;
    if (output.finished) {
      const seen = longest.get(prompt) ?? { tokens: 0, finished: 0 };
      seen.tokens = Math.max(seen.tokens, output.usage.completionTokens);
      if (++seen.finished === n) onPromptFinished(seen.tokens);
      else longest.set(prompt, seen);
    }
    yield item;
  }
}
