/**
 * One benchmark request: a streamed completion or chat completion, timed per
 * chunk on arrival. As in vLLM's request functions, a chunk that carries text
 * is one step of output: the first gives the time to first token, the gaps
 * between the next ones are the inter-token latencies, and the last ends the
 * request. Token counts come from the closing usage chunk
 * (`stream_options.include_usage`).
 * @module
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { describeFetchError, ENDPOINT_PATHS, headers, type Connection, type Endpoint } from './server-api.js';

/** Where and how to send the benchmark requests. */
export interface Target extends Connection {
  readonly model: string;
  readonly endpoint: Endpoint;
  /** Send `ignore_eos: true` so every request generates exactly `max_tokens` (vLLM and x-serve accept it). */
  readonly ignoreEos: boolean;
  /** A request still running after this long fails. */
  readonly timeoutMs: number;
}

/** What one request measured; times are `performance.now()` milliseconds. */
export interface StreamOutcome {
  /** When the request was sent. */
  readonly sentAt: number;
  /** When the stream ended, or the request failed. */
  readonly endedAt: number;
  /** Arrival of the first text chunk, of each text chunk after it, in order. */
  readonly chunkTimes: readonly number[];
  /** `usage.prompt_tokens`, when the server sent usage. */
  readonly promptTokens?: number;
  /** `usage.completion_tokens`, when the server sent usage. */
  readonly completionTokens?: number;
  /** Why the request failed; undefined when it succeeded. */
  readonly error?: string;
}

interface Chunk {
  choices?: { text?: string; delta?: { content?: string | null; reasoning_content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

function requestBody(target: Target, prompt: string, maxTokens: number): object {
  return {
    model: target.model,
    ...(target.endpoint === 'chat'
      ? { messages: [{ role: 'user', content: prompt }], max_completion_tokens: maxTokens }
      : { prompt, max_tokens: maxTokens }),
    stream: true,
    stream_options: { include_usage: true },
    ...(target.ignoreEos && { ignore_eos: true }),
  };
}

const chunkText = (chunk: Chunk): string => {
  const choice = chunk.choices?.[0];
  return choice?.text ?? choice?.delta?.content ?? choice?.delta?.reasoning_content ?? '';
};

/** An error answer's message: OpenAI's `{error: {message}}`, else the body's start. */
async function errorOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as Chunk;
    message = typeof body.error === 'string' ? body.error : (body.error?.message ?? message);
  } catch {
    // not JSON: keep the text
  }
  return `HTTP ${res.status}${message ? `: ${message}` : ''}`;
}

/** Sends one streamed request for `maxTokens` tokens and times its chunks. Never throws. */
export async function streamRequest(
  target: Target,
  prompt: string,
  maxTokens: number,
): Promise<StreamOutcome> {
  const chunkTimes: number[] = [];
  let usage: Chunk['usage'];
  const sentAt = performance.now();
  const outcome = (error?: string): StreamOutcome => ({
    sentAt,
    endedAt: performance.now(),
    chunkTimes,
    ...(usage?.prompt_tokens !== undefined && { promptTokens: usage.prompt_tokens }),
    ...(usage?.completion_tokens !== undefined && { completionTokens: usage.completion_tokens }),
    ...(error !== undefined && { error }),
  });
  try {
    const res = await fetch(`${target.baseUrl}${ENDPOINT_PATHS[target.endpoint]}`, {
      method: 'POST',
      headers: headers(target),
      body: JSON.stringify(requestBody(target, prompt, maxTokens)),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    if (!res.ok || !res.body) return outcome(await errorOf(res));
    const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const event of events) {
      const now = performance.now();
      if (event.data === '[DONE]') {
        return outcome(chunkTimes.length === 0 ? 'the stream carried no token' : undefined);
      }
      const chunk = JSON.parse(event.data) as Chunk;
      if (chunk.error !== undefined) {
        return outcome(
          typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'error frame'),
        );
      }
      if (chunk.usage) usage = chunk.usage;
      if (chunkText(chunk) !== '') chunkTimes.push(now);
    }
    return outcome('the stream ended before [DONE]');
  } catch (error) {
    return outcome(describeFetchError(error));
  }
}
