/**
 * The Responses API's shapes: a `response` object with one assistant
 * message, and its stream of typed events (`response.created`,
 * `response.output_text.delta`, … `response.completed`).
 * @module
 */
import type { ApiError } from '../errors.js';
import type { ChoiceState, Usage } from '../generation/choices.js';
import type { FormatContext, ResponseFormat } from './response-format.js';

/** Request fields a response object repeats. */
export interface ResponseSettings {
  readonly instructions: string | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly temperature: number | undefined;
  readonly topP: number | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

type Status = 'in_progress' | 'completed' | 'incomplete';

/** The responses endpoint's shapes; the response id is the request's, its message's id derived from it. */
export function responsesFormat(ctx: FormatContext, settings: ResponseSettings): ResponseFormat {
  const itemId = ctx.id.replace(/^resp_/, 'msg_');
  const at = { output_index: 0, content_index: 0, item_id: itemId };
  let sequence = 0;
  const event = (type: string, fields: object) => ({ type, sequence_number: sequence++, ...fields });
  const part = (text: string) => ({ type: 'output_text', text, annotations: [] });
  const message = (status: Status, content: object[]) => ({
    id: itemId,
    type: 'message',
    status,
    role: 'assistant',
    content,
  });
  const response = (status: Status, output: object[], usage: Usage | null) => ({
    id: ctx.id,
    object: 'response',
    created_at: ctx.created,
    status,
    // A reply cut by max_output_tokens is incomplete; stop strings and the end of text complete it.
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    error: null,
    model: ctx.model,
    instructions: settings.instructions ?? null,
    max_output_tokens: settings.maxOutputTokens ?? null,
    temperature: settings.temperature ?? null,
    top_p: settings.topP ?? null,
    metadata: settings.metadata ?? {},
    output,
    parallel_tool_calls: false,
    tool_choice: 'none',
    tools: [],
    text: { format: { type: 'text' } },
    truncation: 'disabled',
    store: false,
    background: false,
    previous_response_id: null,
    usage: usage && {
      input_tokens: usage.prompt_tokens,
      output_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens,
    },
  });
  const finished = (choices: readonly ChoiceState[], usage: Usage) => {
    const { text, finishReason } = choices[0]!;
    const status: Status = finishReason === 'length' ? 'incomplete' : 'completed';
    return { text, status, body: response(status, [message(status, [part(text)])], usage) };
  };
  return {
    chunk({ text }) {
      return text ? event('response.output_text.delta', { ...at, delta: text, logprobs: [] }) : undefined;
    },
    usageChunk() {
      // Never asked for: the stream's closing events carry the usage.
      throw new Error('a responses stream has no usage chunk');
    },
    response: (choices, usage) => finished(choices, usage).body,
    typed: {
      opening: () => [
        event('response.created', { response: response('in_progress', [], null) }),
        event('response.in_progress', { response: response('in_progress', [], null) }),
        event('response.output_item.added', { output_index: 0, item: message('in_progress', []) }),
        event('response.content_part.added', { ...at, part: part('') }),
      ],
      closing(choices, usage) {
        const { text, status, body } = finished(choices, usage);
        return [
          event('response.output_text.done', { ...at, text, logprobs: [] }),
          event('response.content_part.done', { ...at, part: part(text) }),
          event('response.output_item.done', { output_index: 0, item: body.output[0] }),
          event(`response.${status}`, { response: body }),
        ];
      },
      error: (error: ApiError) =>
        event('error', { code: error.status, message: error.message, param: error.param }),
    },
  };
}
