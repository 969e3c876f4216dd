/**
 * What differs between the two generation endpoints: how a stream chunk, the
 * usage chunk and the whole response look. Everything else (running the
 * request, streaming, errors) is shared.
 * @module
 */
import type { GenerationOutput } from '@x/engine';
import type { ApiError } from '../errors.js';
import type { ChoiceDelta, ChoiceState, Usage } from '../generation/choices.js';
import type { RequestJourney } from '../request-journey.js';
import type { TokenText } from './logprobs.js';

/** One endpoint's response shapes. */
export interface ResponseFormat {
  /** The stream chunk for one engine output, or undefined when it carries nothing new. */
  chunk(delta: ChoiceDelta, output: GenerationOutput): object | undefined;
  /** The closing chunk with `usage` (`stream_options.include_usage`). */
  usageChunk(usage: Usage): object;
  /** The whole non-streamed response. */
  response(choices: readonly ChoiceState[], usage: Usage): object;
  /** A stream of typed events in place of the usage chunk and `[DONE]` (the Responses API's). */
  readonly typed?: TypedEvents;
}

/**
 * The events of a typed stream besides its chunks; each has a `type`, sent as the SSE event's name.
 * Its chunks must have a `type` too.
 */
export interface TypedEvents {
  /** The events before the first chunk. */
  opening(): object[];
  /** The events after the last chunk, once every output arrived. */
  closing(choices: readonly ChoiceState[], usage: Usage): object[];
  /** The event that reports an error once the stream started. */
  error(error: ApiError): object;
}

/** What a format needs to know about its response. */
export interface FormatContext {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
  /** Stream chunks carry `usage: null` until the usage chunk. */
  readonly includeUsage: boolean;
  /** Whether log-probabilities were asked for. */
  readonly logprobs: boolean;
  readonly tokenText: TokenText;
}

/** The fields every response and chunk starts with. */
export function envelope(ctx: FormatContext, object: string) {
  return { id: ctx.id, object, created: ctx.created, model: ctx.model };
}

/** A format context for `journey`'s response: its id, and its arrival as `created`. */
export function formatContext(
  journey: RequestJourney,
  tokenText: TokenText,
  fields: Pick<FormatContext, 'model' | 'includeUsage' | 'logprobs'>,
): FormatContext {
  const { requestId, arrivalEpochMs } = journey.info;
  return { id: requestId, created: Math.floor(arrivalEpochMs / 1000), tokenText, ...fields };
}
