/**
 * The engine loop: schedule → execute → update → deliver, for as long as
 * there is work. It awaits the GPU between steps, so Node's event loop keeps
 * serving I/O (new requests, aborts) while a step runs.
 * @module
 */
import type { LogitPenalties, SamplingParams } from '@x/kernels-webgpu';
import {
  finishReasonOf,
  RequestStatus,
  type FinishReason,
  type FinishedStatus,
  type NewRequest,
  type RequestView,
  type ScheduledRequest,
  type Scheduler,
  type SchedulerOutput,
} from '@x/scheduler';
import type { StepSamples } from '../runner/model-runner.js';
import type { PromptScoring } from '../runner/prompt-scores.js';
import type { StepSampling } from '../runner/step-sampler.js';
import { EngineStats } from './engine-stats.js';
import { PromptLogprobs, topOf } from './prompt-logprobs.js';
import { runIsolated, stepTokens, type StepRun } from './step-isolation.js';

/**
 * Runs one step of the model; the {@link ModelRunner} in production. A `StepEntryError` blames one
 * entry: that request alone fails and the step runs again without it. Any other error fails the step.
 */
export interface StepExecutor {
  execute(
    output: SchedulerOutput,
    paramsFor: (index: number) => StepSampling,
    scoringFor?: (index: number) => PromptScoring | undefined,
  ): Promise<StepSamples>;
}

/** Sampling parameters of one request, less the per-step counter. */
export type RequestSampling = Omit<SamplingParams, 'step'>;

/** A request's penalties and logit bias; the tokens it has seen are the core's to track. */
export type PenaltySettings = Pick<
  LogitPenalties,
  'presencePenalty' | 'frequencyPenalty' | 'repetitionPenalty' | 'logitBias'
>;

/** A request as the core takes it: the scheduler's fields plus sampling. */
export interface CoreRequest extends NewRequest {
  readonly samplingParams: RequestSampling;
  /** Absent when no penalty or bias applies (the step then packs nothing for it). */
  readonly penalties?: PenaltySettings;
  /** Score the prompt: this many alternatives per position (0..20); set `skipPrefixCache` too. */
  readonly promptLogprobs?: number;
}

/** A token the core delivers, with its log-probabilities. */
export interface CoreToken {
  readonly id: number;
  readonly logprob: number;
  /** Most likely alternatives, when asked for: [id, logprob] pairs, most likely first. */
  readonly top: readonly (readonly [number, number])[] | undefined;
}

/** What the core delivers for a request after a step (or an abort). */
export interface CoreOutput {
  readonly requestId: string;
  readonly tokens: readonly CoreToken[];
  readonly finished: boolean;
  readonly status: RequestStatus;
  readonly finishReason: FinishReason | null;
  /** Why, for ignored, errored and aborted requests. */
  readonly reasonText: string | undefined;
  /** The scheduler's view, for usage counts and timestamps. */
  readonly request: RequestView;
  /** With the first token of a request that asked: the scores of prompt tokens 1..L-1. */
  readonly promptLogprobs?: readonly CoreToken[];
}

/** Receives a request's outputs, in order; the last has `finished` set. */
export type OutputSink = (output: CoreOutput) => void;

interface Live {
  readonly view: RequestView;
  readonly sink: OutputSink;
  readonly params: { -readonly [K in keyof StepSampling]: StepSampling[K] };
  /** Occurrences of each output token, counted for requests with penalties. */
  readonly outputCounts: Map<number, number> | undefined;
  /** Prompt scores being collected, until they go out with the first token. */
  prompt: PromptLogprobs | undefined;
}

/**
 * Where the last completed step of the loop spent its time, in µs of wall
 * clock; the executor's own breakdown is its business (`ModelRunner.lastStep`).
 */
export interface CoreStepTiming {
  /** `scheduler.schedule()`. */
  scheduleUs: number;
  /** The executor's `execute`, GPU wait included. */
  executeUs: number;
  /** `updateFromOutput` and handing tokens to the sinks (detokenization, stop strings). */
  deliverUs: number;
  /** The yield to the event loop after the step, with whatever callbacks ran in it. */
  yieldUs: number;
}

/** Joins the scheduler and a step executor; one per model. */
export class EngineCore {
  readonly scheduler: Scheduler;
  readonly stats: EngineStats;
  /** Timings of the last completed step, overwritten at the end of each (same object, no allocation). */
  readonly lastStep: CoreStepTiming = { scheduleUs: 0, executeUs: 0, deliverUs: 0, yieldUs: 0 };
  readonly #executor: StepExecutor;
  readonly #live = new Map<string, Live>();
  /** Live requests still collecting prompt scores (the runner is asked only while there are some). */
  #scoring = 0;
  #running: Promise<void> | undefined;
  /** The entries of the batch being executed, which `#paramsFor` and `#scoringFor` index. */
  #entries: readonly { requestId: string }[] = [];

  constructor(scheduler: Scheduler, executor: StepExecutor) {
    this.scheduler = scheduler;
    this.#executor = executor;
    this.stats = new EngineStats(scheduler);
  }

  /**
   * Queues a request; outputs go to `sink`. Malformed input throws. A prompt
   * that can never fit is delivered at once as finished (ignored), with why.
   */
  add(request: CoreRequest, sink: OutputSink): RequestView {
    const view = this.scheduler.addRequest(request);
    if (view.isFinished) {
      this.stats.onFinished(view);
      sink(finishedOutput(view));
      return view;
    }
    const outputCounts = request.penalties && new Map<number, number>();
    const penalties = request.penalties && {
      ...request.penalties,
      outputCounts,
      // The repetition penalty also covers the prompt.
      ...((request.penalties.repetitionPenalty ?? 1) !== 1 && {
        promptTokens: new Set(request.promptTokenIds),
      }),
    };
    const params = { ...request.samplingParams, step: 0, penalties };
    const prompt =
      request.promptLogprobs === undefined
        ? undefined
        : new PromptLogprobs(view.promptTokenIds, request.promptLogprobs);
    if (prompt) this.#scoring++;
    this.#live.set(view.requestId, { view, sink, params, outputCounts, prompt });
    this.#kick();
    return view;
  }

  /** Ends a request from outside (abort, a stop string, an error); its KV blocks are freed at once. */
  finish(requestId: string, status: FinishedStatus, reasonText?: string): void {
    const live = this.#live.get(requestId);
    if (!live || this.scheduler.finishRequests(requestId, status, reasonText) === 0) return;
    this.#deliverFinished(live);
  }

  /** True while requests are queued or running. */
  get busy(): boolean {
    return this.#live.size > 0;
  }

  /** Resolves once the loop has drained (all requests finished). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #kick(): void {
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined;
      if (this.scheduler.hasUnfinishedRequests()) this.#kick();
    });
  }

  async #loop(): Promise<void> {
    while (this.scheduler.hasUnfinishedRequests()) {
      const t0 = performance.now();
      const output = this.scheduler.schedule();
      const t1 = performance.now();
      let ran: StepRun;
      try {
        ran = await runIsolated(output, this.#runBatch, this.#failEntry);
      } catch (error) {
        // Finish the step's requests first: updateFromOutput then skips them.
        this.#failAll(output, error);
        this.scheduler.updateFromOutput(output, new Int32Array(output.scheduled.length).fill(-1));
        continue;
      }
      const t2 = performance.now();
      this.stats.onStep(ran.batch);
      this.#deliver(output, ran);
      const t3 = performance.now();
      // Let I/O callbacks (new requests, aborts) run between steps even when the GPU answered synchronously.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const timing = this.lastStep;
      timing.scheduleUs = 1000 * (t1 - t0);
      timing.executeUs = 1000 * (t2 - t1);
      timing.deliverUs = 1000 * (t3 - t2);
      timing.yieldUs = 1000 * (performance.now() - t3);
    }
  }

  readonly #runBatch = (batch: SchedulerOutput): Promise<StepSamples> => {
    this.#entries = batch.scheduled;
    return this.#executor.execute(batch, this.#paramsFor, this.#scoring > 0 ? this.#scoringFor : undefined);
  };

  readonly #failEntry = (entry: ScheduledRequest, error: Error): void =>
    this.finish(entry.requestId, RequestStatus.FINISHED_ERROR, failureText(error));

  readonly #paramsFor = (index: number): StepSampling => {
    const live = this.#live.get(this.#entries[index]!.requestId)!;
    live.params.step = live.view.outputTokenIds.length;
    return live.params;
  };

  readonly #scoringFor = (index: number): PromptScoring | undefined =>
    this.#live.get(this.#entries[index]!.requestId)?.prompt?.scoring;

  #deliver(output: SchedulerOutput, ran: StepRun): void {
    const { batch, samples } = ran;
    const scores = samples.promptScores;
    for (const range of scores?.ranges ?? []) {
      this.#live.get(batch.scheduled[range.entry]!.requestId)?.prompt?.collect(range, scores!);
    }
    const results = this.scheduler.updateFromOutput(output, stepTokens(output, ran));
    const cols = samples.topColumns;
    let entry = 0;
    for (const result of results) {
      const live = this.#live.get(result.requestId);
      if (!live) continue;
      while (batch.scheduled[entry]!.requestId !== result.requestId) entry++;
      const tokens: CoreToken[] = result.newTokenIds.map((id) => ({
        id,
        logprob: samples.logprobs[entry]!,
        top: cols > 0 ? topOf(samples, entry, cols, live.params.numLogprobs ?? 0) : undefined,
      }));
      if (tokens.length) this.stats.onTokens(live.view, tokens.length);
      const counts = live.outputCounts;
      if (counts) for (const { id } of tokens) counts.set(id, (counts.get(id) ?? 0) + 1);
      const prompt = tokens.length > 0 ? live.prompt : undefined;
      if (prompt) this.#stopScoring(live);
      if (result.finished) this.#release(live);
      live.sink({
        ...(prompt && { promptLogprobs: prompt.tokens }),
        requestId: result.requestId,
        tokens,
        finished: result.finished,
        status: result.status,
        finishReason: result.finishReason,
        reasonText: live.view.finishReasonText,
        request: live.view,
      });
    }
  }

  #failAll(output: SchedulerOutput, error: unknown): void {
    const text = failureText(error);
    for (const e of output.scheduled) this.finish(e.requestId, RequestStatus.FINISHED_ERROR, text);
  }

  #deliverFinished(live: Live): void {
    this.#release(live);
    live.sink(finishedOutput(live.view));
  }

  #stopScoring(live: Live): void {
    if (live.prompt) this.#scoring--;
    live.prompt = undefined;
  }

  #release(live: Live): void {
    this.#stopScoring(live);
    this.#live.delete(live.view.requestId);
    this.stats.onFinished(live.view);
  }
}

function failureText(error: unknown): string {
  return `model execution failed: ${error instanceof Error ? error.message : String(error)}`;
}

function finishedOutput(view: RequestView): CoreOutput {
  return {
    requestId: view.requestId,
    tokens: [],
    finished: true,
    status: view.status,
    finishReason: finishReasonOf(view.status),
    reasonText: view.finishReasonText,
    request: view,
  };
}
