import type { KvResidency } from './kv-cache-manager.js';

/**
 * A request's state. The `Request` class is the single owner of its counters
 * (computed tokens, outputs, preemptions) and of its status transitions; the
 * scheduler drives it through the intent-named methods below, and everyone else
 * sees it through the read-only {@link RequestView}.
 */

/** Every state a request can be in; the `FINISHED_*` ones are terminal. */
export const RequestStatus = {
  WAITING: 'WAITING',
  RUNNING: 'RUNNING',
  PREEMPTED: 'PREEMPTED',
  FINISHED_STOPPED: 'FINISHED_STOPPED',
  FINISHED_LENGTH: 'FINISHED_LENGTH',
  FINISHED_ABORTED: 'FINISHED_ABORTED',
  FINISHED_IGNORED: 'FINISHED_IGNORED',
  FINISHED_ERROR: 'FINISHED_ERROR',
} as const;

/** One of the {@link RequestStatus} values. */
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** The terminal statuses. */
export type FinishedStatus = Extract<RequestStatus, `FINISHED_${string}`>;

/** Whether a scheduling is a request's first ever, or a resumption after preemption. */
export type ScheduleKind = 'FIRST' | 'RESUME';

const TERMINAL: Readonly<Record<RequestStatus, boolean>> = {
  WAITING: false,
  RUNNING: false,
  PREEMPTED: false,
  FINISHED_STOPPED: true,
  FINISHED_LENGTH: true,
  FINISHED_ABORTED: true,
  FINISHED_IGNORED: true,
  FINISHED_ERROR: true,
};

/** True for the terminal statuses (also a runtime guard for untyped input). */
export function isFinishedStatus(status: string): status is FinishedStatus {
  return TERMINAL[status as RequestStatus] === true;
}

/** When generation stops, as the sampler sees it. */
export interface SamplingLimits {
  /** Most output tokens; `Infinity` means "until the model or KV-pool length". */
  readonly maxTokens: number;
  /** Output tokens to produce before EOS or a stop token may end the request. */
  readonly minTokens: number;
  /** Tokens that end the request (once `minTokens` is reached) even when `ignoreEos` is set. */
  readonly stopTokenIds: readonly number[];
  /** The model's end-of-sequence token, if it has one. */
  readonly eosTokenId: number | undefined;
  /** Keep generating past EOS (benchmarks do this to fix output lengths). */
  readonly ignoreEos: boolean;
}

/** Lifecycle timestamps, recorded whether or not any plugin listens; they feed metrics. */
export interface RequestTimes {
  /** When the request arrived, as Unix epoch milliseconds. */
  readonly arrivalEpochMs: number;
  /** Monotonic ns at which the scheduler accepted the request. */
  queuedNs: number;
  /** Monotonic ns of the first scheduling (not updated on resume). */
  firstScheduledNs: number | undefined;
  /** Monotonic ns at which the first output token was appended. */
  firstTokenNs: number | undefined;
  /** Monotonic ns at which the latest output token was appended. */
  lastTokenNs: number | undefined;
  /** Monotonic ns at which the request reached a terminal status. */
  finishedNs: number | undefined;
}

/** What plugins and callers may read about a request; nothing here can be mutated through it. */
export interface RequestView {
  /** Caller-chosen id, unique among unfinished requests. */
  readonly requestId: string;
  /** The prompt (a private copy, materialised on first read). */
  readonly promptTokenIds: readonly number[];
  /** Tokens generated so far; they survive preemption. */
  readonly outputTokenIds: readonly number[];
  /** Prompt followed by outputs: the sequence the model has seen or will see. */
  readonly allTokenIds: readonly number[];
  /** Stop rules. */
  readonly sampling: SamplingLimits;
  /** Output tokens this request may produce: `maxTokens` capped by the room left in the longest sequence. */
  readonly maxOutputTokens: number;
  /** Lower is served first (as in vLLM); only the priority policy looks at it. */
  readonly priority: number;
  /** Arrival as Unix epoch ms; the priority policy's tie-break. */
  readonly arrivalTimeMs: number;
  /**
   * Headers that travel with the request from the API layer (W3C `traceparent`,
   * `tracestate`, sampling flags), for tracing plugins to link their spans.
   */
  readonly traceHeaders: Readonly<Record<string, string>> | undefined;
  /** Never reads the prefix cache (its blocks still fill it): prompt log-probabilities need every position. */
  readonly skipPrefixCache: boolean;
  /** Order of acceptance by the scheduler; the final tie-break. */
  readonly seq: number;
  /** Current state. */
  readonly status: RequestStatus;
  /** Tokens whose KV entries exist now; reset to 0 by preemption. */
  readonly numComputedTokens: number;
  /** Most prompt tokens ever computed: a high-water mark that survives preemption. */
  readonly prefillHighWater: number;
  /** Times this request was preempted. */
  readonly numPreemptions: number;
  /** Prompt tokens served from the prefix cache at the first scheduling. */
  readonly numCachedTokens: number;
  /** Human-readable cause, set for ignored and errored requests (and aborts that give one). */
  readonly finishReasonText: string | undefined;
  /** Lifecycle timestamps. */
  readonly times: Readonly<RequestTimes>;
  /** Length of {@link allTokenIds}. */
  readonly numTokens: number;
  /** Length of {@link promptTokenIds}. */
  readonly numPromptTokens: number;
  /** True once the status is terminal. */
  readonly isFinished: boolean;
}

/** Everything a {@link Request} needs at construction, already validated. */
export interface RequestInit {
  /** See {@link RequestView.requestId}. */
  readonly requestId: string;
  /** Copied, so later changes by the caller do not leak in. */
  readonly promptTokenIds: readonly number[];
  /** See {@link RequestView.sampling}. */
  readonly sampling: SamplingLimits;
  /** See {@link RequestView.maxOutputTokens}. */
  readonly maxOutputTokens: number;
  /** See {@link RequestView.priority}. */
  readonly priority: number;
  /** See {@link RequestView.arrivalTimeMs}. */
  readonly arrivalTimeMs: number;
  /** See {@link RequestView.traceHeaders}. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
  /** See {@link RequestView.skipPrefixCache}. */
  readonly skipPrefixCache: boolean;
  /** See {@link RequestView.seq}. */
  readonly seq: number;
  /** Monotonic ns of acceptance. */
  readonly queuedNs: number;
}

/** A request and its state machine; only the scheduler holds this type. */
export class Request implements RequestView {
  readonly requestId: string;
  readonly numPromptTokens: number;
  readonly sampling: SamplingLimits;
  readonly maxOutputTokens: number;
  readonly priority: number;
  readonly arrivalTimeMs: number;
  readonly traceHeaders: Readonly<Record<string, string>> | undefined;
  readonly skipPrefixCache: boolean;
  readonly seq: number;
  readonly times: RequestTimes;
  /** Chained prefix hashes of full blocks, filled lazily by the KV cache manager; derived from tokens, never reset. */
  readonly blockHashes: number[] = [];
  /** The KV cache's handle on this request's blocks (see `KvRequest.kvResidency`). */
  kvResidency: KvResidency | null = null;
  /** Prompt then outputs, stored once; append-only, since cached KV blocks refer to ranges of it. */
  readonly #allTokenIds: number[];
  #promptTokenIds: readonly number[] | undefined = undefined;
  readonly #outputTokenIds: number[] = [];
  #status: RequestStatus = RequestStatus.WAITING;
  #finished = false;
  #numComputedTokens = 0;
  #prefillHighWater = 0;
  #numPreemptions = 0;
  #numCachedTokens = 0;
  #finishReasonText: string | undefined = undefined;

  /** Creates a WAITING request. */
  constructor(init: RequestInit) {
    this.requestId = init.requestId;
    this.#allTokenIds = init.promptTokenIds.slice();
    this.numPromptTokens = this.#allTokenIds.length;
    this.sampling = init.sampling;
    this.maxOutputTokens = init.maxOutputTokens;
    this.priority = init.priority;
    this.arrivalTimeMs = init.arrivalTimeMs;
    this.traceHeaders = init.traceHeaders;
    this.skipPrefixCache = init.skipPrefixCache;
    this.seq = init.seq;
    this.times = {
      arrivalEpochMs: init.arrivalTimeMs,
      queuedNs: init.queuedNs,
      firstScheduledNs: undefined,
      firstTokenNs: undefined,
      lastTokenNs: undefined,
      finishedNs: undefined,
    };
  }

  get status(): RequestStatus {
    return this.#status;
  }
  get allTokenIds(): readonly number[] {
    return this.#allTokenIds;
  }
  get outputTokenIds(): readonly number[] {
    return this.#outputTokenIds;
  }
  get numTokens(): number {
    return this.#allTokenIds.length;
  }
  get promptTokenIds(): readonly number[] {
    this.#promptTokenIds ??= this.#allTokenIds.slice(0, this.numPromptTokens);
    return this.#promptTokenIds;
  }
  get numComputedTokens(): number {
    return this.#numComputedTokens;
  }
  get prefillHighWater(): number {
    return this.#prefillHighWater;
  }
  get numPreemptions(): number {
    return this.#numPreemptions;
  }
  get numCachedTokens(): number {
    return this.#numCachedTokens;
  }
  get finishReasonText(): string | undefined {
    return this.#finishReasonText;
  }
  get isFinished(): boolean {
    return this.#finished;
  }

  /** WAITING/PREEMPTED → RUNNING with `numCachedTokens` already computed (prefix-cache hit); says which kind of start it was. */
  admit(numCachedTokens: number, nowNs: number): ScheduleKind {
    if (this.#status !== RequestStatus.WAITING && this.#status !== RequestStatus.PREEMPTED) {
      throw this.#illegal('admit');
    }
    const kind: ScheduleKind = this.#status === RequestStatus.PREEMPTED ? 'RESUME' : 'FIRST';
    this.#status = RequestStatus.RUNNING;
    this.#numComputedTokens = numCachedTokens;
    if (kind === 'FIRST') {
      this.#numCachedTokens = numCachedTokens;
      this.times.firstScheduledNs = nowNs;
    }
    this.#raisePrefillHighWater();
    return kind;
  }

  /** Records that the model computed `numTokens` more tokens of this request. */
  commitComputed(numTokens: number): void {
    if (this.#status !== RequestStatus.RUNNING) throw this.#illegal('commitComputed');
    const next = this.#numComputedTokens + numTokens;
    if (next > this.#allTokenIds.length) {
      throw new RangeError(`${this.requestId}: ${next} computed tokens exceed its ${this.numTokens} tokens`);
    }
    this.#numComputedTokens = next;
    this.#raisePrefillHighWater();
  }

  /** Appends a sampled token; returns true when it is the request's first output token. */
  appendOutput(tokenId: number, nowNs: number): boolean {
    if (this.#status !== RequestStatus.RUNNING) throw this.#illegal('appendOutput');
    this.#outputTokenIds.push(tokenId);
    this.#allTokenIds.push(tokenId);
    this.times.lastTokenNs = nowNs;
    if (this.#outputTokenIds.length !== 1) return false;
    this.times.firstTokenNs = nowNs;
    return true;
  }

  /** RUNNING → PREEMPTED: its KV entries are gone, so everything will be recomputed on resume. */
  preempt(): void {
    if (this.#status !== RequestStatus.RUNNING) throw this.#illegal('preempt');
    this.#status = RequestStatus.PREEMPTED;
    this.#numComputedTokens = 0;
    this.#numPreemptions++;
  }

  /** Any live status → a terminal one. */
  finish(status: FinishedStatus, reasonText: string | undefined, nowNs: number): void {
    if (this.#finished) throw this.#illegal('finish');
    this.#status = status;
    this.#finished = true;
    this.#finishReasonText = reasonText;
    this.times.finishedNs = nowNs;
  }

  #raisePrefillHighWater(): void {
    if (this.#numComputedTokens > this.#prefillHighWater) {
      this.#prefillHighWater = Math.min(this.#numComputedTokens, this.numPromptTokens);
    }
  }

  #illegal(action: string): Error {
    return new Error(`request ${this.requestId}: cannot ${action} while ${this.#status}`);
  }
}
