/**
 * One generated sequence's text pipeline: incremental detokenization, stop
 * strings across token boundaries, and the outputs a caller sees.
 * @module
 */
import type { FinishReason } from '@x/scheduler';
import { IncrementalDetokenizer } from '../tokenizer/detokenizer.js';
import { StopStringMatcher } from '../tokenizer/stop-strings.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { CoreOutput, CoreToken } from './engine-core.js';

/** A generated token's log-probability and, when asked, the most likely alternatives. */
export interface TokenLogprob {
  readonly tokenId: number;
  readonly logprob: number;
  readonly top: readonly { readonly tokenId: number; readonly logprob: number }[];
}

/** What `generate` yields: the increment of one sequence (`index` among `n`). */
export interface GenerationOutput {
  readonly requestId: string;
  /** Which of the request's `n` sequences this is. */
  readonly index: number;
  /** New text since the previous output of this sequence (never broken UTF-8, never repeated). */
  readonly text: string;
  /** Token ids generated since the previous output. */
  readonly tokenIds: readonly number[];
  /** One per token in {@link tokenIds}, when logprobs were asked for. */
  readonly logprobs: readonly TokenLogprob[] | undefined;
  readonly finished: boolean;
  readonly finishReason: FinishReason | null;
  /** The stop string or stop token id that ended the sequence. */
  readonly stopReason: string | number | undefined;
  /** Why a sequence ended in error or was refused. */
  readonly errorText: string | undefined;
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number };
  /**
   * With the first token of each sequence, when `promptLogprobs` was asked for: one entry per prompt
   * token, the first `null` (nothing precedes it), as vLLM's `prompt_logprobs`.
   */
  readonly promptLogprobs?: readonly (TokenLogprob | null)[];
}

/** Options of a {@link SequenceText}. */
export interface SequenceTextOptions {
  readonly requestId: string;
  readonly index: number;
  readonly promptTokenIds: readonly number[];
  readonly stop: readonly string[];
  readonly stopTokenIds: readonly number[];
  readonly includeStopStrInOutput: boolean;
  readonly wantLogprobs: boolean;
}

/** Turns a sequence's core outputs into {@link GenerationOutput}s. */
export class SequenceText {
  readonly #o: SequenceTextOptions;
  readonly #detok: IncrementalDetokenizer;
  readonly #stops: StopStringMatcher | undefined;
  #completionTokens = 0;
  /** Set when a stop string matched: the caller must finish the request as stopped. */
  stoppedBy: string | undefined;

  constructor(tokenizer: Tokenizer, options: SequenceTextOptions) {
    this.#o = options;
    this.#detok = new IncrementalDetokenizer(tokenizer, { promptIds: options.promptTokenIds });
    this.#stops = options.stop.length
      ? new StopStringMatcher(options.stop, { includeStopStrInOutput: options.includeStopStrInOutput })
      : undefined;
  }

  /** Converts one core output; when a stop string matches, `stoppedBy` is set and the output is final. */
  convert(out: CoreOutput): GenerationOutput {
    let text = '';
    const ids: number[] = [];
    const logprobs: TokenLogprob[] = [];
    // As vLLM: the EOS or stop token id that ended the sequence adds no text, unless asked to.
    const stopToken =
      out.finishReason === 'stop' && !this.#o.includeStopStrInOutput ? out.tokens.at(-1) : undefined;
    for (const t of out.tokens) {
      if (this.stoppedBy !== undefined) break;
      ids.push(t.id);
      this.#completionTokens++;
      if (this.#o.wantLogprobs) {
        logprobs.push(tokenLogprob(t));
      }
      if (t === stopToken) break;
      const piece = this.#detok.push(t.id);
      if (!this.#stops) {
        text += piece;
        continue;
      }
      const r = this.#stops.push(piece);
      text += r.text;
      if (r.stop !== undefined) this.stoppedBy = r.stop;
    }
    const finished = out.finished || this.stoppedBy !== undefined;
    if (finished && this.stoppedBy === undefined) text += this.#flush();
    return {
      requestId: this.#o.requestId,
      index: this.#o.index,
      text,
      tokenIds: ids,
      logprobs: this.#o.wantLogprobs ? logprobs : undefined,
      finished,
      finishReason: this.stoppedBy !== undefined ? 'stop' : out.finishReason,
      stopReason: this.stoppedBy ?? (finished ? this.#stopToken(out) : undefined),
      errorText:
        out.status === 'FINISHED_ERROR' || out.status === 'FINISHED_IGNORED' ? out.reasonText : undefined,
      usage: { promptTokens: this.#o.promptTokenIds.length, completionTokens: this.#completionTokens },
      ...(out.promptLogprobs && { promptLogprobs: [null, ...out.promptLogprobs.map(tokenLogprob)] }),
    };
  }

  /** The text held back at the end: an unfinished character, or a tail that might have begun a stop string. */
  #flush(): string {
    const rest = this.#detok.flush();
    if (!this.#stops) return rest;
    const r = this.#stops.push(rest);
    if (r.stop !== undefined) {
      this.stoppedBy = r.stop;
      return r.text;
    }
    return r.text + this.#stops.flush();
  }

  #stopToken(out: CoreOutput): number | undefined {
    if (out.finishReason !== 'stop') return undefined;
    const last = out.request.outputTokenIds.at(-1);
    return last !== undefined && this.#o.stopTokenIds.includes(last) ? last : undefined;
  }
}

function tokenLogprob(t: CoreToken): TokenLogprob {
  return {
    tokenId: t.id,
    logprob: t.logprob,
    top: (t.top ?? []).map(([tokenId, logprob]) => ({ tokenId, logprob })),
  };
}
