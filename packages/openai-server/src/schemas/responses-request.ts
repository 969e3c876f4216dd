/**
 * `POST /v1/responses` bodies (OpenAI's Responses API, for plain text
 * generation): the input as chat messages for the chat template, and a 400
 * naming each field whose feature this server does not have (tools, stored
 * responses, file and image inputs…). Other unknown fields are ignored, as
 * elsewhere.
 * @module
 */
import { z } from 'zod';
import { badRequest } from '../errors.js';
import type { ChatPromptRequest } from './chat-request.js';
import { optional, samplingRequestSchema } from './sampling.js';

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** An input item; only messages (`type` "message" or left out) are taken, checked in {@link toChatMessages}. */
const inputItem = z.looseObject({
  type: optional(z.string()),
  role: optional(z.string()),
  content: optional(z.union([z.string(), z.array(contentPart)])),
});

/** A message as the chat template takes it. */
type PromptMessage = ChatPromptRequest['messages'][number];

/** A responses request: the shared sampling fields (vLLM's extras included) and the Responses API's own. */
export const responsesRequestSchema = samplingRequestSchema.extend({
  input: z.union([z.string(), z.array(inputItem).min(1, 'input must contain at least one item')]),
  instructions: optional(z.string()),
  max_output_tokens: optional(z.int()),
  metadata: optional(z.record(z.string(), z.string())),
});

/** The parsed responses request. */
export type ResponsesRequest = z.output<typeof responsesRequestSchema>;

/** Fields refused when they ask for something this server does not do; null or absent means unset. */
const UNSUPPORTED: readonly [field: string, asks: (value: unknown) => boolean, why: string][] = [
  ['tools', (v) => !Array.isArray(v) || v.length > 0, 'tools are not supported yet'],
  ['tool_choice', (v) => v !== 'none' && v !== 'auto', 'tool calling is not supported yet'],
  ['max_tool_calls', () => true, 'tool calling is not supported yet'],
  ['previous_response_id', () => true, 'responses are not stored, so none can be continued'],
  ['conversation', () => true, 'conversations are not stored'],
  ['store', (v) => v !== false, 'responses are not stored: leave store out or send false'],
  ['background', (v) => v !== false, 'background responses are not supported'],
  ['prompt', () => true, 'stored prompt templates are not supported'],
  ['include', (v) => !Array.isArray(v) || v.length > 0, 'no additional output data is supported'],
  ['reasoning', () => true, 'reasoning options are not supported'],
  ['truncation', (v) => v !== 'disabled', 'only truncation "disabled" is supported'],
  ['top_logprobs', (v) => v !== 0, 'log-probabilities are not supported on /v1/responses'],
  ['text', (v) => !isTextFormat(v), 'only the "text" output format is supported'],
  ['n', (v) => v !== 1, 'a response has one output; n is not supported'],
  ['max_tokens', () => true, 'max_tokens is not a Responses API field; use max_output_tokens'],
];

const isTextFormat = (text: unknown): boolean => {
  const format = (text as { format?: { type?: unknown } | null } | null)?.format;
  return typeof text === 'object' && (format == null || format.type === 'text');
};

/** Throws a 400 naming the first field that asks for an unsupported feature. */
export function refuseUnsupported(body: Readonly<Record<string, unknown>>): void {
  for (const [field, asks, why] of UNSUPPORTED) {
    const value = body[field];
    if (value !== undefined && value !== null && asks(value)) throw badRequest(`${field}: ${why}`, field);
  }
}

/** Roles the Responses API takes; `developer` is the system's newer name, and chat templates know `system`. */
const ROLES: Readonly<Record<string, string>> = {
  user: 'user',
  assistant: 'assistant',
  system: 'system',
  developer: 'system',
};

/** Text parts: the user's (`input_text`) and earlier replies' (`output_text`). */
const TEXT_PARTS = new Set(['input_text', 'output_text']);

/**
 * The conversation for the chat template: `instructions` as a system message, then the input (a
 * string is one user message). Items other than messages, and parts other than text, are 400s
 * naming them.
 */
export function toChatMessages(body: ResponsesRequest): PromptMessage[] {
  const messages: PromptMessage[] = [];
  if (body.instructions !== undefined) messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') return [...messages, { role: 'user', content: body.input }];
  body.input.forEach((item, i) => {
    if (item.type !== undefined && item.type !== 'message') {
      throw badRequest(
        `input item type "${item.type}" is not supported; only messages are`,
        `input[${i}].type`,
      );
    }
    const role = ROLES[item.role ?? ''];
    if (role === undefined) {
      throw badRequest(`role must be one of ${Object.keys(ROLES).join(', ')}`, `input[${i}].role`);
    }
    messages.push({ role, content: messageContent(item.content, i) });
  });
  return messages;
}

/** A message's content as the template takes it; non-text parts (images, files, audio) are refused. */
function messageContent(
  content: z.output<typeof inputItem>['content'],
  item: number,
): PromptMessage['content'] {
  if (content === undefined) throw badRequest('a message needs content', `input[${item}].content`);
  if (typeof content === 'string') return content;
  return content.map((part, j) => {
    if (!TEXT_PARTS.has(part.type) || part.text === undefined) {
      throw badRequest(
        `content part type "${part.type}" is not supported; only input_text and output_text are`,
        `input[${item}].content[${j}]`,
      );
    }
    return { type: 'text', text: part.text };
  });
}
