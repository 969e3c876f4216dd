/**
 * Log-probabilities in OpenAI's two layouts: chat's `{content: [{token,
 * logprob, bytes, top_logprobs}]}` and legacy completions' parallel arrays
 * (`tokens`, `token_logprobs`, `top_logprobs`, `text_offset`).
 * @module
 */
import type { TokenLogprob, Tokenizer } from '@x/engine';

/** Each token's own text and bytes (special tokens as written, e.g. `</s>`), cached. */
export class TokenText {
  readonly #tokenizer: Tokenizer;
  readonly #cache = new Map<number, { text: string; bytes: number[] }>();
  readonly #decoder = new TextDecoder();

  constructor(tokenizer: Tokenizer) {
    this.#tokenizer = tokenizer;
  }

  /** The token's text and UTF-8 bytes; a lone byte token's text is U+FFFD, its bytes exact. */
  of(id: number): { text: string; bytes: number[] } {
    let entry = this.#cache.get(id);
    if (entry === undefined) {
      const raw = this.#tokenizer.byteStream({ skipSpecialTokens: false })(id);
      entry = { text: this.#decoder.decode(raw), bytes: [...raw] };
      this.#cache.set(id, entry);
    }
    return entry;
  }
}

/** One token of chat's `logprobs.content`. */
export interface ChatTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

/** Chat's `logprobs` for some tokens. */
export function chatLogprobs(text: TokenText, tokens: readonly TokenLogprob[]) {
  const entry = (tokenId: number, logprob: number) => {
    const { text: token, bytes } = text.of(tokenId);
    return { token, logprob, bytes };
  };
  const content: ChatTokenLogprob[] = tokens.map((t) => ({
    ...entry(t.tokenId, t.logprob),
    top_logprobs: t.top.map((alt) => entry(alt.tokenId, alt.logprob)),
  }));
  return { content, refusal: null };
}

/** An echoed prompt's tokens: ids, where each starts in the echoed text, and one score each (the first null). */
export interface EchoedPrompt {
  readonly tokenIds: readonly number[];
  readonly offsets: readonly number[];
  readonly scores: readonly (TokenLogprob | null)[];
}

/**
 * Completions' `logprobs` for some tokens whose text starts at `offset` in the choice's text,
 * preceded by an echoed prompt's tokens (the first with `null`s, as OpenAI's legacy API and vLLM
 * give it).
 */
export function completionLogprobs(
  text: TokenText,
  tokens: readonly TokenLogprob[],
  offset: number,
  echoed?: EchoedPrompt,
) {
  const out = {
    tokens: [] as string[],
    token_logprobs: [] as (number | null)[],
    top_logprobs: [] as (Record<string, number> | null)[],
    text_offset: [] as number[],
  };
  const push = (tokenId: number, t: TokenLogprob | null, at: number): number => {
    const token = text.of(tokenId).text;
    out.tokens.push(token);
    out.token_logprobs.push(t ? t.logprob : null);
    // As vLLM: the sampled token, then the alternatives (`logprobs: 0` gives the sampled token alone).
    const alternatives = t && [t, ...t.top].map((alt) => [text.of(alt.tokenId).text, alt.logprob]);
    out.top_logprobs.push(alternatives ? Object.fromEntries(alternatives) : null);
    out.text_offset.push(at);
    return at + token.length;
  };
  echoed?.tokenIds.forEach((id, i) => push(id, echoed.scores[i] ?? null, echoed.offsets[i]!));
  for (const t of tokens) offset = push(t.tokenId, t, offset);
  return out;
}
