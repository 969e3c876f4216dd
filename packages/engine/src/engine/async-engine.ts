/**
 * The engine's public face: `generate(prompt, params)` returns an async
 * iterator of incremental outputs while the engine loop batches every
 * request in flight.
 * @module
 */
import { randomInt } from 'node:crypto';
import { RequestStatus, type SchedulerPlugin, type Unsubscribe } from '@x/scheduler';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { AsyncQueue } from './async-queue.js';
import { EngineInputError } from './errors.js';
import type { EngineCore } from './engine-core.js';
import { SequenceText, type GenerationOutput } from './generation.js';
import {
  normalizeParams,
  penaltySettings,
  sequenceSampling,
  type NormalizedSampling,
  type SamplingOptions,
} from './sampling-options.js';

/** Per-call options of {@link AsyncEngine.generate}. */
export interface GenerateOptions {
  /** Unique among requests in flight; default a random id. */
  readonly requestId?: string;
  /** W3C trace context and similar headers; they travel with the request to scheduler plugins. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
  /** Aborts the request (all its sequences) and frees its KV blocks at once. */
  readonly signal?: AbortSignal;
  /** Lower is served first under the priority policy. */
  readonly priority?: number;
}

/** Server-wide settings for every request (vLLM's `--seed` and `--max-logprobs`). */
export interface RequestDefaults {
  /** Requests that give no seed get seeds drawn from a sequence started here: the same every run. */
  readonly seed?: number;
  /** Most `logprobs` / `prompt_logprobs` a request may ask for; default the sampler's 20. */
  readonly maxLogprobs?: number;
}

/** Serves many concurrent generations from one model. */
export class AsyncEngine {
  readonly core: EngineCore;
  readonly tokenizer: Tokenizer;
  /** The model's context length as served. */
  readonly maxModelLen: number;
  #nextId = 0;
  /** End-of-generation ids other than EOS (`<|eot_id|>`, `<|im_end|>`…): stops unless `ignoreEos`. */
  readonly #endOfTurnIds: readonly number[];

  /** The seed of a request that gives none. */
  readonly #drawSeed: () => number;
  readonly #maxLogprobs: number | undefined;

  constructor(core: EngineCore, tokenizer: Tokenizer, maxModelLen: number, limits: RequestDefaults = {}) {
    this.core = core;
    this.tokenizer = tokenizer;
    this.maxModelLen = maxModelLen;
    const { seed } = limits;
    this.#drawSeed = seed === undefined ? () => randomInt(2 ** 47) : seededDraws(seed);
    this.#maxLogprobs = limits.maxLogprobs;
    this.#endOfTurnIds = tokenizer.endOfGenerationIds.filter((id) => id !== tokenizer.eosId);
  }

  /** Subscribes a plugin to the scheduler's lifecycle hooks; returns its unsubscribe function. */
  use(plugin: SchedulerPlugin): Unsubscribe {
    return this.core.scheduler.use(plugin);
  }

  /**
   * Starts a generation. Bad parameters and prompts too long for the
   * context throw an {@link EngineInputError} here, before anything is
   * queued. With `n > 1` the outputs of all sequences interleave, told apart
   * by `index`; the iterator ends when every sequence has finished.
   * Breaking out of the loop aborts the request.
   */
  generate(
    prompt: string | readonly number[],
    params: SamplingOptions = {},
    options: GenerateOptions = {},
  ): AsyncIterableIterator<GenerationOutput> {
    const promptTokenIds =
      typeof prompt === 'string'
        ? this.#fitting(this.tokenizer.encode(prompt, { maxTokens: this.maxModelLen }))
        : [...prompt];
    const p = this.validate(promptTokenIds, params);
    const requestId = options.requestId ?? `req-${process.pid}-${++this.#nextId}`;
    const ids = Array.from({ length: p.n }, (_, i) => (p.n === 1 ? requestId : `${requestId}-${i}`));
    const abortAll = () =>
      ids.forEach((id) => this.core.finish(id, RequestStatus.FINISHED_ABORTED, 'aborted'));
    const queue = new AsyncQueue<GenerationOutput>(abortAll);
    options.signal?.addEventListener('abort', abortAll, { once: true });
    let open = p.n;
    const baseSeed = p.seed ?? this.#drawSeed();
    // As vLLM does with generation_config's EOS list: the model's end-of-turn ids join the stop ids.
    const stopTokenIds =
      p.ignoreEos || this.#endOfTurnIds.length === 0
        ? p.stopTokenIds
        : [...new Set([...p.stopTokenIds, ...this.#endOfTurnIds])];

    ids.forEach((id, index) => {
      const text = new SequenceText(this.tokenizer, {
        requestId,
        index,
        promptTokenIds,
        stop: p.stop,
        stopTokenIds,
        includeStopStrInOutput: p.includeStopStrInOutput,
        wantLogprobs: p.logprobs !== undefined,
      });
      let done = false;
      this.core.add(
        {
          requestId: id,
          promptTokenIds,
          sampling: {
            maxTokens: p.maxTokens,
            minTokens: p.minTokens,
            stopTokenIds,
            eosTokenId: this.tokenizer.eosId,
            ignoreEos: p.ignoreEos,
          },
          samplingParams: sequenceSampling(p, baseSeed, index),
          penalties: penaltySettings(p),
          // Every sequence scores the prompt, so each carries the scores with its first token.
          ...(p.promptLogprobs !== undefined && { promptLogprobs: p.promptLogprobs, skipPrefixCache: true }),
          priority: options.priority,
          traceHeaders: options.traceHeaders,
        },
        (out) => {
          if (done) return;
          const g = text.convert(out);
          // Deliver before finishing: `finish` calls back into this sink, which `done` then ignores.
          done = g.finished;
          queue.push(g);
          if (text.stoppedBy !== undefined && !out.finished) {
            this.core.finish(
              id,
              RequestStatus.FINISHED_STOPPED,
              `stop string ${JSON.stringify(text.stoppedBy)}`,
            );
          }
          if (done && --open === 0) {
            options.signal?.removeEventListener('abort', abortAll);
            queue.close();
          }
        },
      );
    });
    // Only now are there requests to finish: a signal aborted before the call ends them at once.
    if (options.signal?.aborted) abortAll();
    return queue;
  }

  /**
   * The checks {@link generate} makes, without starting anything: lets a
   * caller (the HTTP server) refuse a request, or announce its hand-off,
   * before the scheduler sees it. Throws an {@link EngineInputError}.
   */
  validate(promptTokenIds: readonly number[], params: SamplingOptions = {}): NormalizedSampling {
    const p = normalizeParams(params, this.#maxLogprobs);
    this.#checkPrompt(promptTokenIds, p.maxTokens);
    // As vLLM, whose max_tokens defaults to what the context leaves.
    const room = this.maxModelLen - promptTokenIds.length;
    if (p.maxTokens === undefined && p.minTokens > room)
      throw new EngineInputError(
        `min_tokens (${p.minTokens}) must not exceed the ${room} tokens the context leaves after the prompt`,
        'min_tokens',
      );
    const vocab = this.tokenizer.vocabSize;
    const badStop = p.stopTokenIds.findIndex((id) => id >= vocab);
    if (badStop >= 0)
      throw new EngineInputError(
        `stop token ${p.stopTokenIds[badStop]} is not in the vocabulary (size ${vocab})`,
        `stop_token_ids[${badStop}]`,
      );
    for (const token of p.logitBias?.keys() ?? []) {
      if (token >= vocab)
        throw new EngineInputError(
          `logit_bias token ${token} is not in the vocabulary (size ${vocab})`,
          'logit_bias',
        );
    }
    return p;
  }

  /**
   * The ids of a text prompt, for a caller that serves other requests meanwhile (the HTTP server):
   * the tokenizer works in slices that let other callbacks run, and stops as soon as the prompt is
   * longer than the context, which then throws an {@link EngineInputError} without the rest of a
   * multi-megabyte text being tokenized. `parseSpecial` for text rendered from a chat template.
   */
  async encodePrompt(text: string, parseSpecial = false): Promise<number[]> {
    return this.#fitting(
      await this.tokenizer.encodeAsync(text, { parseSpecial, maxTokens: this.maxModelLen }),
    );
  }

  /** Aborts a request started with {@link generate} (every sequence of it). */
  abort(requestId: string, n = 1): void {
    const ids = n === 1 ? [requestId] : Array.from({ length: n }, (_, i) => `${requestId}-${i}`);
    for (const id of ids) this.core.finish(id, RequestStatus.FINISHED_ABORTED, 'aborted');
  }

  /** Ids from an encode stopped at `maxTokens: maxModelLen`; more than that means the text did not fit. */
  #fitting(ids: number[]): number[] {
    const m = this.maxModelLen;
    if (ids.length <= m) return ids;
    throw new EngineInputError(
      `This model's maximum context length is ${m} tokens. However, your prompt contains more than ${m} input tokens. ` +
        'Please reduce the length of the input prompt.',
      'input_tokens',
    );
  }

  #checkPrompt(ids: readonly number[], maxTokens: number | undefined): void {
    if (ids.length === 0) throw new EngineInputError('the prompt is empty', 'prompt');
    const vocab = this.tokenizer.vocabSize;
    const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
    if (bad >= 0)
      throw new EngineInputError(
        `prompt token ${ids[bad]} at ${bad} is not in the vocabulary (size ${vocab})`,
        'prompt',
      );
    const m = this.maxModelLen;
    if (ids.length + (maxTokens ?? 1) > m) {
      throw new EngineInputError(
        `This model's maximum context length is ${m} tokens. However, you requested ${maxTokens ?? 1} output tokens ` +
          `and your prompt contains ${ids.length} input tokens, for a total of ${ids.length + (maxTokens ?? 1)} tokens. ` +
          'Please reduce the length of the input prompt or the number of requested output tokens.',
        'input_tokens',
      );
    }
  }
}

/** 47-bit seeds from a 64-bit linear congruential sequence started at `seed` (Knuth's MMIX constants). */
function seededDraws(seed: number): () => number {
  let state = BigInt(seed);
  return () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn;
    return Number(state >> 17n);
  };
}
