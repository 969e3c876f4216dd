/**
 * The server's request hooks: the plugin API through which tracing (or any
 * observer) follows each HTTP request from arrival to its last byte. The
 * shapes are fixed for the team; `@x/tracing` consumes them.
 * @module
 */

/** What every server hook receives about one HTTP request. */
export interface ServerRequestInfo {
  /** The id used in the response (`chatcmpl-…` / `cmpl-…` / `resp_…`), also the engine request id. */
  readonly requestId: string;
  readonly endpoint: 'chat.completions' | 'completions' | 'responses';
  /** Incoming HTTP headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly arrivalEpochMs: number;
  /** `performance.now() * 1e6`: the same clock as the scheduler's default. */
  readonly arrivalMonotonicNs: number;
}

/** Parameters known once the body is parsed and the prompt tokenized (at hand-off). */
export interface ServerRequestParams {
  readonly model: string;
  /** Summed over the prompts of a batched completions request. */
  readonly promptTokens: number;
  readonly maxTokens: number | undefined;
  readonly temperature: number | undefined;
  readonly topP: number | undefined;
  /** Each of these only when the request set it. */
  readonly topK?: number;
  readonly seed?: number;
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  readonly n: number;
  readonly stream: boolean;
}

/** How a request that completed went. */
export interface ServerRequestResult {
  /** Summed over every choice. */
  readonly completionTokens: number;
  /** One per choice, in choice order. */
  readonly finishReasons: readonly (string | null)[];
}

/** Lets an `onArrived` hook add headers that travel with the request into the engine (e.g. `traceparent`, `x-journey-sampled`). */
export interface TraceHeaderWriter {
  set(name: string, value: string): void;
}

/**
 * A server plugin: implement only the hooks you need. For every request that
 * fired `onArrived`, exactly one of `onDeparted` / `onAborted` fires, last.
 * A plugin that throws is logged once and never breaks a request.
 */
export interface ServerPlugin {
  /** Shown in the warning when the plugin throws. */
  readonly name?: string;
  /** The request was received (before body validation). */
  onArrived?(req: ServerRequestInfo, trace: TraceHeaderWriter): void;
  /** The request was validated and handed to the engine. */
  onHandoff?(req: ServerRequestInfo, params: ServerRequestParams): void;
  /** The engine's first output for the request. */
  onFirstResponse?(req: ServerRequestInfo): void;
  /** The response is complete (for streams: once its last event, `data: [DONE]`, went to the connection). */
  onDeparted?(req: ServerRequestInfo, result: ServerRequestResult): void;
  /**
   * An error response (4xx/5xx), a client disconnect, or a cancellation; `status` is the HTTP
   * status sent (499 when the client went away), so a refused request (400) tells from an abort.
   */
  onAborted?(req: ServerRequestInfo, reason: string, status: number): void;
}

/** Removes a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;
