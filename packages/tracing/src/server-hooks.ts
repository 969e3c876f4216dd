/**
 * The server's request-hook API, as `@x/openai-server` defines it. Declared
 * here structurally so `@x/tracing` compiles and runs without the server
 * package (the plugin is just as usable behind any HTTP layer that calls
 * these hooks); a `ServerPlugin` from here is assignable to the server's,
 * which the tests check by handing one to the real `createApp`.
 * @module
 */

/** What every server hook receives about one HTTP request. */
export interface ServerRequestInfo {
  /** The id used in the response (`chatcmpl-…` / `cmpl-…`), also the engine request id. */
  readonly requestId: string;
  readonly endpoint: 'chat.completions' | 'completions';
  /** Incoming HTTP headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly arrivalEpochMs: number;
  /** `performance.now() * 1e6` based, the scheduler's default clock. */
  readonly arrivalMonotonicNs: number;
}

/** Parameters known once the body is parsed and the prompt tokenized (at hand-off). */
export interface ServerRequestParams {
  readonly model: string;
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

/** What a completed response produced. */
export interface ServerRequestResult {
  readonly completionTokens: number;
  readonly finishReasons: readonly (string | null)[];
}

/** Lets an `onArrived` hook add headers that travel with the request into the engine. */
export interface TraceHeaderWriter {
  set(name: string, value: string): void;
}

/** A server plugin: exactly one of `onDeparted` / `onAborted` follows each `onArrived`. */
export interface ServerPlugin {
  /** Shown in the warning when the plugin throws. */
  readonly name?: string;
  /** Request received (before body validation). */
  onArrived?(req: ServerRequestInfo, trace: TraceHeaderWriter): void;
  /** Validated and handed to the engine. */
  onHandoff?(req: ServerRequestInfo, params: ServerRequestParams): void;
  /** First output from the engine. */
  onFirstResponse?(req: ServerRequestInfo): void;
  /** Response complete (for streams: before `data: [DONE]` is written). */
  onDeparted?(req: ServerRequestInfo, result: ServerRequestResult): void;
  /** Error (4xx/5xx), client disconnect, cancellation; `status` is the HTTP status sent (499: client gone). */
  onAborted?(req: ServerRequestInfo, reason: string, status: number): void;
}
