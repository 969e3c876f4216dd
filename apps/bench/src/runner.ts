/**
 * Runs one benchmark: sends each request at its arrival offset, at most
 * `maxConcurrency` at a time (a request that arrives while the limit is
 * reached waits on the client, and that wait is its queue time), and turns
 * what each stream measured into a request record.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { PreparedRequest } from './prompts.js';
import { streamRequest, type StreamOutcome, type Target } from './stream-request.js';

/** One request's figures, as written to the results file (vLLM's names where it has them). */
export interface RequestRecord {
  readonly index: number;
  /** Prompt tokens asked for. */
  readonly input_len: number;
  /** Output tokens asked for (`max_tokens`). */
  readonly output_len: number;
  /** Words in the prompt (with the seed, rebuilds it). */
  readonly prompt_words: number;
  /** Scheduled arrival, seconds from the run's start. */
  readonly arrival_s: number;
  /** When it was sent, seconds from the run's start. */
  readonly start_s: number;
  /** When its stream ended (or it failed), seconds from the run's start. */
  readonly end_s: number;
  /** Client-side wait for a concurrency slot, ms. */
  readonly queue_ms: number;
  readonly success: boolean;
  readonly error: string | null;
  /** `usage.prompt_tokens`, else the server's `/tokenize` count, else `input_len`. */
  readonly prompt_tokens: number;
  /** `usage.completion_tokens`, else the number of text chunks. */
  readonly output_tokens: number;
  /** Time to first token, ms (null when it failed before one). */
  readonly ttft_ms: number | null;
  /** (e2el − ttft) / (output_tokens − 1), ms; null for fewer than 2 tokens or a failure. */
  readonly tpot_ms: number | null;
  /** Send to last token, ms. */
  readonly e2el_ms: number | null;
  /** Gaps between consecutive text chunks, ms. */
  readonly itl_ms: readonly number[];
}

/** A finished run. */
export interface RunOutput {
  /** Start of the first wait to the end of the last request, seconds. */
  readonly durationS: number;
  /** In workload order. */
  readonly records: readonly RequestRecord[];
}

function toRecord(
  req: PreparedRequest,
  out: StreamOutcome,
  runStart: number,
  arrivalS: number,
  arrivedAt: number,
): RequestRecord {
  const times = out.chunkTimes;
  const success = out.error === undefined;
  const outputTokens = out.completionTokens ?? times.length;
  const ttft = times.length > 0 ? times[0]! - out.sentAt : null;
  const e2el = success && times.length > 0 ? times.at(-1)! - out.sentAt : null;
  return {
    index: req.index,
    input_len: req.inputLen,
    output_len: req.outputLen,
    prompt_words: req.promptWords,
    arrival_s: arrivalS,
    start_s: (out.sentAt - runStart) / 1000,
    end_s: (out.endedAt - runStart) / 1000,
    queue_ms: out.sentAt - arrivedAt,
    success,
    error: out.error ?? null,
    prompt_tokens: out.promptTokens ?? req.countedTokens ?? req.inputLen,
    output_tokens: outputTokens,
    ttft_ms: ttft,
    tpot_ms:
      success && e2el !== null && ttft !== null && outputTokens > 1
        ? (e2el - ttft) / (outputTokens - 1)
        : null,
    e2el_ms: e2el,
    itl_ms: times.slice(1).map((t, i) => t - times[i]!),
  };
}

/**
 * Sends `requests[i]` at `offsetsS[i]` seconds from now, at most
 * `maxConcurrency` in flight (undefined: no limit); `onDone` sees each record as it ends.
 */
export async function runRequests(
  target: Target,
  requests: readonly PreparedRequest[],
  offsetsS: readonly number[],
  maxConcurrency: number | undefined,
  onDone?: (record: RequestRecord) => void,
): Promise<RunOutput> {
  const limit = pLimit(maxConcurrency ?? Infinity);
  const start = performance.now();
  const pending: Promise<RequestRecord>[] = [];
  for (const [i, req] of requests.entries()) {
    const wait = start + offsetsS[i]! * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const arrivedAt = performance.now();
    pending.push(
      limit(() => streamRequest(target, req.prompt, req.outputLen)).then((out) => {
        const record = toRecord(req, out, start, offsetsS[i]!, arrivedAt);
        onDone?.(record);
        return record;
      }),
    );
  }
  const records = await Promise.all(pending);
  return { durationS: (performance.now() - start) / 1000, records };
}
