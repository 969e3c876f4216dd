/**
 * The door: validates what a caller passes to `addRequest`, fills defaults and
 * decides whether a well-formed request can ever be served. Malformed input is
 * a caller bug and throws; a prompt that is merely too long never throws, it is
 * finished as FINISHED_IGNORED with a reason.
 */
import { Request, type SamplingLimits } from './request.js';
import { describeValue, requireBoolean, requireFinite, requireInteger } from './validate.js';

/** What a caller submits. */
export interface NewRequest {
  /** Unique among unfinished requests. */
  readonly requestId: string;
  /** Non-empty; token ids are integers in [0, 2^31). */
  readonly promptTokenIds: readonly number[];
  /** Stop rules; omitted fields take the defaults of {@link normalizeSampling}. */
  readonly sampling?: Partial<SamplingLimits>;
  /** Lower is served first under the priority policy (default 0). */
  readonly priority?: number;
  /** Arrival as Unix epoch ms (default: when `addRequest` runs). */
  readonly arrivalTimeMs?: number;
  /** Headers for tracing plugins (see `RequestView.traceHeaders`); a frozen copy is kept. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
  /** See {@link RequestView.skipPrefixCache} (default false). */
  readonly skipPrefixCache?: boolean;
}

/** Scheduler-side facts needed to create a request. */
export interface RequestContext {
  /** Acceptance order. */
  readonly seq: number;
  /** Monotonic ns of acceptance. */
  readonly nowNs: number;
  /** Epoch ms of acceptance, the default arrival time. */
  readonly nowEpochMs: number;
  /** Longest sequence the scheduler can hold (see `maxSequenceLength`). */
  readonly maxSeqLen: number;
}

const MAX_TOKEN_ID = 2 ** 31 - 1;

/** Fills sampling defaults (no token limit, no min, no stop ids, no EOS, EOS honoured) and validates. */
export function normalizeSampling(sampling: Partial<SamplingLimits> = {}): SamplingLimits {
  const maxTokens = sampling.maxTokens ?? Infinity;
  if (maxTokens !== Infinity) requireInteger(maxTokens, 'sampling.maxTokens', 1);
  const minTokens = requireInteger(sampling.minTokens ?? 0, 'sampling.minTokens', 0);
  if (minTokens > maxTokens) {
    throw new RangeError(
      `sampling.minTokens (${minTokens}) must not exceed sampling.maxTokens (${maxTokens})`,
    );
  }
  const stopTokenIds = sampling.stopTokenIds ?? [];
  stopTokenIds.forEach((id, i) => requireInteger(id, `sampling.stopTokenIds[${i}]`, 0));
  const eosTokenId = sampling.eosTokenId;
  if (eosTokenId !== undefined) requireInteger(eosTokenId, 'sampling.eosTokenId', 0);
  return {
    maxTokens,
    minTokens,
    stopTokenIds: stopTokenIds.slice(),
    eosTokenId,
    ignoreEos: requireBoolean(sampling.ignoreEos ?? false, 'sampling.ignoreEos'),
  };
}

/** Validates `init` and builds the WAITING request; throws a TypeError or RangeError on malformed input. */
export function createRequest(init: NewRequest, context: RequestContext): Request {
  if (typeof init.requestId !== 'string' || init.requestId.length === 0) {
    throw new TypeError(`requestId must be a non-empty string (got ${describeValue(init.requestId)})`);
  }
  const prompt = init.promptTokenIds;
  if (!Array.isArray(prompt) || prompt.length === 0) {
    throw new TypeError(`request ${init.requestId}: promptTokenIds must be a non-empty array`);
  }
  for (let i = 0; i < prompt.length; i++) {
    const id: unknown = prompt[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
      throw new RangeError(
        `request ${init.requestId}: promptTokenIds[${i}] is not a token id (got ${describeValue(id)})`,
      );
    }
  }
  const sampling = normalizeSampling(init.sampling);
  return new Request({
    requestId: init.requestId,
    promptTokenIds: prompt,
    sampling,
    maxOutputTokens: Math.max(0, Math.min(sampling.maxTokens, context.maxSeqLen - prompt.length)),
    priority: requireFinite(init.priority ?? 0, `request ${init.requestId}: priority`),
    arrivalTimeMs: requireFinite(
      init.arrivalTimeMs ?? context.nowEpochMs,
      `request ${init.requestId}: arrivalTimeMs`,
    ),
    traceHeaders: init.traceHeaders === undefined ? undefined : Object.freeze({ ...init.traceHeaders }),
    skipPrefixCache: init.skipPrefixCache ?? false,
    seq: context.seq,
    queuedNs: context.nowNs,
  });
}

/** Limits a prompt must fit: the model's context and the KV pool. */
export interface CapacityLimits {
  /** The model's context length. */
  readonly maxModelLen: number;
  /** Tokens the whole KV pool holds: numBlocks × blockSize. */
  readonly poolTokens: number;
}

/** Why a prompt can never be served (it needs room for itself plus one output token), or undefined when it can. */
export function ignoreReason(numPromptTokens: number, limits: CapacityLimits): string | undefined {
  const needed = numPromptTokens + 1;
  if (needed > limits.maxModelLen) {
    return `prompt of ${numPromptTokens} tokens leaves no room for an output token within maxModelLen ${limits.maxModelLen}`;
  }
  if (needed > limits.poolTokens) {
    return `prompt of ${numPromptTokens} tokens plus one output token exceeds the whole KV pool (${limits.poolTokens} tokens)`;
  }
  return undefined;
}
