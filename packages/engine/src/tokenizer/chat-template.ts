/**
 * Chat templates: the model's Jinja `tokenizer.chat_template` rendered with `@huggingface/jinja`
 * and the variables HF transformers passes, or a ChatML fallback for models without one.
 * @module
 */
import { Template } from '@huggingface/jinja';
import type { Tokenizer } from './tokenizer.js';

/** One part of a multi-part message content (OpenAI style); only text parts are supported. */
export interface ChatContentPart {
  type: 'text';
  text: string;
}

/** A chat message; extra fields (name, tool_calls, ...) are passed to the template untouched. */
export interface ChatMessage {
  role: string;
  content?: string | ChatContentPart[] | null;
  [field: string]: unknown;
}

/** Per-render options. */
export interface ChatRenderOptions {
  /** End with the opening of an assistant turn (`add_generation_prompt`); default true. */
  addGenerationPrompt?: boolean;
  /**
   * End inside the final message, so that generation continues it (`continue_final_message`, as HF's
   * `apply_chat_template`): the text after the final message's content is cut off. Default false.
   */
  continueFinalMessage?: boolean;
  /** More template variables (`tools`, `documents`, ...), as HF's `apply_chat_template` kwargs. */
  variables?: Record<string, unknown>;
}

/** Special-token texts the template sees as `bos_token` / `eos_token`. */
export interface ChatTemplateTokens {
  bosToken?: string;
  eosToken?: string;
}

/**
 * The template used when a model has none: ChatML (`<|im_start|>role\ncontent<|im_end|>\n` per
 * message, then `<|im_start|>assistant\n` for the generation prompt), HF transformers' former
 * default. Models not trained on it still see clearly delimited turns.
 */
export const FALLBACK_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Ends the final message's content while rendering for `continueFinalMessage`. */
const CONTINUE_MARKER = '\u0000continue-final-message\u0000';

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Content parts joined by newlines, as vLLM does for templates that expect string content. */
function normalizeMessage(message: ChatMessage, index: number): ChatMessage {
  if (typeof message.role !== 'string') throw new Error(`chat messages[${index}]: role must be a string`);
  const { content } = message;
  if (!Array.isArray(content)) return message;
  const texts = content.map((part, p) => {
    if (part?.type !== 'text' || typeof part.text !== 'string') {
      throw new Error(
        `chat messages[${index}].content[${p}]: expected {type: 'text', text}, got type ${JSON.stringify(part?.type)}`,
      );
    }
    return part.text;
  });
  return { ...message, content: texts.join('\n') };
}

/** A parsed chat template, ready to render many conversations. */
export class ChatTemplate {
  /** The Jinja source. */
  readonly source: string;
  private readonly template: Template;
  private readonly tokens: ChatTemplateTokens;

  /** Parses the template; a syntax error is thrown with the parser's message. */
  constructor(source: string, tokens: ChatTemplateTokens = {}) {
    this.source = source;
    this.tokens = tokens;
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new Error(`chat template: cannot parse: ${errorMessage(e)}`, { cause: e });
    }
  }

  /**
   * Renders a conversation to the prompt text. The result contains special tokens as text, so encode
   * it with `parseSpecial: true`. A template's `raise_exception(...)` (e.g. "roles must alternate")
   * or a runtime error is thrown with its message.
   */
  render(messages: readonly ChatMessage[], options: ChatRenderOptions = {}): string {
    const { addGenerationPrompt = true, continueFinalMessage = false, variables = {} } = options;
    const normalized = messages.map(normalizeMessage);
    const last = normalized.length - 1;
    // The final content ends with a marker; the render is cut where the marker is.
    if (continueFinalMessage && last >= 0) {
      const content = `${(normalized[last]!.content as string | null | undefined) ?? ''}${CONTINUE_MARKER}`;
      normalized[last] = { ...normalized[last]!, content };
    }
    const context = {
      ...variables,
      messages: normalized,
      add_generation_prompt: addGenerationPrompt,
      bos_token: this.tokens.bosToken ?? '',
      eos_token: this.tokens.eosToken ?? '',
    };
    let text: string;
    try {
      text = this.template.render(context);
    } catch (e) {
      throw new Error(`chat template: ${errorMessage(e)}`, { cause: e });
    }
    if (!continueFinalMessage) return text;
    const end = text.lastIndexOf(CONTINUE_MARKER);
    if (end < 0) throw new Error('chat template: the final message does not appear in the rendered chat');
    return text.slice(0, end);
  }

  /** A template of another source with the same BOS/EOS texts (a per-request `chat_template`). */
  withSource(source: string): ChatTemplate {
    return new ChatTemplate(source, this.tokens);
  }
}

/** The tokenizer's chat template (or {@link FALLBACK_CHAT_TEMPLATE}) with its BOS/EOS texts bound. */
export function chatTemplateFor(tokenizer: Tokenizer): ChatTemplate {
  const { bosId, eosId } = tokenizer;
  return new ChatTemplate(tokenizer.spec.chatTemplate ?? FALLBACK_CHAT_TEMPLATE, {
    bosToken: bosId === undefined ? undefined : tokenizer.tokenText(bosId),
    eosToken: eosId === undefined ? undefined : tokenizer.tokenText(eosId),
  });
}
