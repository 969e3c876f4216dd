/**
 * Chat messages to prompt token ids through the model's chat template.
 * @module
 */
import type { ChatMessage } from '@x/engine';
import { badRequest } from './errors.js';
import type { ServerContext } from './server-context.js';

/** The conversation as prompt ids; the rendered text holds special tokens, so they are parsed. */
export function renderPrompt(
  ctx: ServerContext,
  messages: readonly ChatMessage[],
  addGenerationPrompt = true,
): number[] {
  let text: string;
  try {
    // Content parts are checked by the template's own normalization (text parts only).
    text = ctx.template.render(messages, { addGenerationPrompt });
  } catch (error) {
    throw badRequest((error as Error).message, 'messages');
  }
  return ctx.engine.tokenizer.encode(text, { parseSpecial: true });
}
