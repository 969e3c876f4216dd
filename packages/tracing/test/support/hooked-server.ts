/**
 * A stand-in for the HTTP layer: drives a server plugin's hooks around
 * `engine.generate` exactly as the server's request-hook contract says
 * (arrived → handoff → first response → departed | aborted), so the API span
 * can be tested without HTTP. The real server is tested separately.
 */
import type { AsyncEngine, SamplingOptions } from '@x/engine';
import type { ServerPlugin, ServerRequestInfo } from '../../src/index.js';

/** One simulated request. */
export interface HookedRequest {
  readonly requestId: string;
  readonly prompt: string;
  readonly params: SamplingOptions;
  readonly endpoint?: ServerRequestInfo['endpoint'];
  /** Incoming HTTP headers (a client's `traceparent`, say). */
  readonly headers?: Record<string, string>;
  readonly stream?: boolean;
  /** Disconnect after this many output tokens. */
  readonly disconnectAfter?: number;
}

/** How it ended, and the trace headers that went into the engine. */
export interface HookedOutcome {
  readonly outcome: 'departed' | 'aborted';
  readonly traceHeaders: Record<string, string>;
  readonly completionTokens: number;
}

/** Serves `request` on `engine` with `plugin` subscribed. */
export async function serveHooked(
  plugin: ServerPlugin,
  engine: AsyncEngine,
  request: HookedRequest,
): Promise<HookedOutcome> {
  const headers = request.headers ?? {};
  const info: ServerRequestInfo = {
    requestId: request.requestId,
    endpoint: request.endpoint ?? 'completions',
    headers,
    arrivalEpochMs: Date.now(),
    arrivalMonotonicNs: performance.now() * 1e6,
  };
  const traceHeaders: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) if (headers[name]) traceHeaders[name] = headers[name];
  plugin.onArrived?.(info, { set: (name, value) => (traceHeaders[name] = value) });
  const controller = new AbortController();
  let completionTokens = 0;
  const finishReasons: (string | null)[] = [];
  try {
    const it = engine.generate(request.prompt, request.params, {
      requestId: request.requestId,
      traceHeaders,
      signal: controller.signal,
    });
    plugin.onHandoff?.(info, {
      model: 'stories260K',
      promptTokens: engine.tokenizer.encode(request.prompt).length,
      maxTokens: request.params.maxTokens,
      temperature: request.params.temperature,
      topP: request.params.topP,
      n: request.params.n ?? 1,
      stream: request.stream ?? false,
    });
    let first = true;
    for await (const out of it) {
      if (first) plugin.onFirstResponse?.(info);
      first = false;
      completionTokens += out.tokenIds.length;
      if (out.finished) finishReasons[out.index] = out.finishReason;
      if (request.disconnectAfter !== undefined && completionTokens >= request.disconnectAfter) {
        controller.abort();
        plugin.onAborted?.(info, 'client disconnected', 499);
        return { outcome: 'aborted', traceHeaders, completionTokens };
      }
    }
  } catch (error) {
    plugin.onAborted?.(info, error instanceof Error ? error.message : String(error), 500);
    return { outcome: 'aborted', traceHeaders, completionTokens };
  }
  plugin.onDeparted?.(info, { completionTokens, finishReasons });
  return { outcome: 'departed', traceHeaders, completionTokens };
}
