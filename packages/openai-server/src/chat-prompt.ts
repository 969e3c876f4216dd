/**
 * Chat messages to prompt text through the chat template, with vLLM's
 * controls: `add_generation_prompt`, `continue_final_message`, a per-request
 * `chat_template` and `chat_template_kwargs`.
 * @module
 */
import type { ChatMessage } from '@x/engine';
import { badRequest } from './errors.js';
import type { ChatPromptRequest } from './schemas/chat-request.js';
import type { ServerContext } from './server-context.js';

/**
 * The conversation as the chat template writes it. Conflicting controls, a template that does not
 * parse (`chat_template`) and a template error (`messages`) are 400s naming the field. Controls
 * left out take their defaults.
 */
export function renderChat(
  ctx: ServerContext,
  body: Pick<ChatPromptRequest, 'messages'> & Partial<ChatPromptRequest>,
): string {
  const messages = body.messages as ChatMessage[];
  const continueFinal = body.continue_final_message === true;
  if (continueFinal && body.add_generation_prompt === true) {
    throw badRequest(
      'continue_final_message and add_generation_prompt cannot both be true',
      'continue_final_message',
    );
  }
  if (continueFinal && messages.at(-1)!.role !== 'assistant') {
    throw badRequest('continue_final_message needs the last message to be from the assistant', 'messages');
  }
  let template = ctx.template;
  if (body.chat_template !== undefined) {
    try {
      template = template.withSource(body.chat_template);
    } catch (error) {
      throw badRequest((error as Error).message, 'chat_template');
    }
  }
  try {
    // Content parts are checked by the template's own normalization (text parts only).
    return template.render(messages, {
      // Continuing the final message opens no new turn unless asked to (which is refused above).
      addGenerationPrompt: body.add_generation_prompt ?? !continueFinal,
      continueFinalMessage: continueFinal,
      variables: body.chat_template_kwargs,
    });
  } catch (error) {
    throw badRequest((error as Error).message, 'messages');
  }
}
