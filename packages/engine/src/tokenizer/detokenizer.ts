/**
 * Streaming detokenization: ids arrive one at a time and only the new text goes out. Tokens map to
 * bytes (see {@link Tokenizer.byteStream}) and a streaming UTF-8 decoder holds back an incomplete
 * multi-byte character until its last byte token arrives, so no broken character is ever sent and
 * nothing sent is ever taken back.
 * @module
 */
import type { ByteStream, DecodeOptions, Tokenizer } from './tokenizer.js';

/** Options of an {@link IncrementalDetokenizer}. */
export interface DetokenizerOptions extends DecodeOptions {
  /**
   * Ids that come before the streamed ones (the prompt): they set the context — the dummy-prefix
   * state and any unfinished UTF-8 character — but their own text is not emitted.
   */
  promptIds?: readonly number[];
}

/**
 * Turns a stream of ids into text increments. The concatenation of everything {@link push} and
 * {@link flush} return equals `tokenizer.decode(promptIds + ids)` minus the prompt's own text.
 */
export class IncrementalDetokenizer {
  private readonly next: ByteStream;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private emitted = '';
  private finished = false;

  constructor(tokenizer: Tokenizer, options: DetokenizerOptions = {}) {
    this.next = tokenizer.byteStream(options);
    for (const id of options.promptIds ?? []) this.decoder.decode(this.next(id), { stream: true });
  }

  /** All text emitted so far. */
  get text(): string {
    return this.emitted;
  }

  /** Adds one id; returns the text it completes (empty while a multi-byte character is unfinished). */
  push(id: number): string {
    if (this.finished) throw new Error('detokenizer: push after flush');
    const piece = this.decoder.decode(this.next(id), { stream: true });
    this.emitted += piece;
    return piece;
  }

  /** Ends the stream: an unfinished character left at the end comes out as U+FFFD, as decode gives it. */
  flush(): string {
    if (this.finished) return '';
    this.finished = true;
    const rest = this.decoder.decode();
    this.emitted += rest;
    return rest;
  }
}
