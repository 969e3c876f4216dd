/**
 * Tokenizers (SentencePiece and byte-level BPE from GGUF metadata or llama2.c files), streaming
 * detokenization, stop strings and chat templates.
 * @module
 */
export { TokenType, tokenizerSpecFromMetadata, type TokenizerModel, type TokenizerSpec } from './spec.js';
export { tokenizerSpecFromLlama2c } from './llama2c.js';
export { PRE_TOKENIZERS } from './pre-tokenizer.js';
export { Tokenizer, type ByteStream, type DecodeOptions, type EncodeOptions } from './tokenizer.js';
export { IncrementalDetokenizer, type DetokenizerOptions } from './detokenizer.js';
export { StopStringMatcher, type StopStringOptions, type StopStringResult } from './stop-strings.js';
export {
  ChatTemplate,
  FALLBACK_CHAT_TEMPLATE,
  chatTemplateFor,
  type ChatContentPart,
  type ChatMessage,
  type ChatRenderOptions,
  type ChatTemplateTokens,
} from './chat-template.js';
