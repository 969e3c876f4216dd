/**
 * Chat messages to prompt token ids through the model's chat template.
 * @module
 */
import type { ChatMessage } from '@x/engine';
import { badRequest } from './errors.js';
import type { ServerContext } from './server-context.js';

/** The conversation as the chat template writes it; a template error is a 400 naming `messages`. */
export function renderChat(
  ctx: ServerContext,
  messages: readonly ChatMessage[],
  addGenerationPrompt = true,
): string {
  try {
    // Content parts are checked by the template's own normalization (text parts only).
    return ctx.template.render(messages, { addGenerationPrompt });
  } catch (error) {
    throw badRequest((error as Error).message, 'messages');
  }
}
