/**
 * The perplexity of a text under a served model, computed as llama.cpp's
 * `llama-perplexity` does, so the two figures compare: the text's tokens cut
 * into windows of `ctx` tokens, each window starting with BOS (when the model
 * adds one), and the second half of each window scored, every token given
 * those before it in its window. The scores come from the server:
 * completions with `echo` and `logprobs` (the prompt's log-probabilities).
 * @module
 */
import { postJson, ServerError, type Connection } from './server-api.js';

/** One request tokenizes the whole text, one scores each window: minutes, on a CPU-emulated GPU. */
const REQUEST_TIMEOUT_MS = 600_000;

/** What to score. */
export interface PerplexityOptions {
  readonly conn: Connection;
  readonly model: string;
  readonly text: string;
  /** Tokens per window (llama.cpp's `--ctx-size`). */
  readonly ctx: number;
  /** Score at most this many windows (llama.cpp's `--chunks`). */
  readonly maxChunks?: number;
  /** After each window: its number (from 1) and the perplexity so far. */
  readonly onChunk?: (chunk: number, ppl: number) => void;
}

/** The estimate, as llama.cpp prints it: `PPL = ppl +/- error`. */
export interface PerplexityResult {
  readonly ppl: number;
  /** One standard error of the estimate, in perplexity units. */
  readonly error: number;
  readonly chunks: number;
  /** Tokens scored. */
  readonly tokens: number;
}

/** Scores `o.text`; throws a {@link ServerError} when the server refuses or the text is too short. */
export async function perplexity(o: PerplexityOptions): Promise<PerplexityResult> {
  const tokens = await tokenize(o, o.text);
  const [bos] = await tokenize(o, '');
  const chunks = Math.min(Math.floor(tokens.length / o.ctx), o.maxChunks ?? Infinity);
  if (chunks < 1)
    throw new ServerError(`the text has ${tokens.length} tokens: a window needs ${o.ctx} (lower --ctx-size)`);
  const first = Math.floor(o.ctx / 2);
  let nll = 0;
  let nll2 = 0;
  let count = 0;
  for (let c = 0; c < chunks; c++) {
    const window = tokens.slice(c * o.ctx, (c + 1) * o.ctx);
    if (bos !== undefined) window[0] = bos;
    const logprobs = await promptLogprobs(o, window);
    // As llama.cpp: the logits at positions first..ctx-2 score the tokens after them.
    for (let j = first + 1; j < o.ctx; j++) {
      const x = -logprobs[j]!;
      nll += x;
      nll2 += x * x;
      count++;
    }
    o.onChunk?.(c + 1, Math.exp(nll / count));
  }
  const mean = nll / count;
  const variance = nll2 / count - mean * mean;
  const ppl = Math.exp(mean);
  return { ppl, error: variance > 0 ? ppl * Math.sqrt(variance / (count - 1)) : 0, chunks, tokens: count };
}

/** The text's token ids as the server's tokenizer gives them (BOS first when the model adds one). */
async function tokenize(o: PerplexityOptions, text: string): Promise<number[]> {
  const { tokens } = (await postJson(
    o.conn,
    '/tokenize',
    { model: o.model, prompt: text },
    REQUEST_TIMEOUT_MS,
  )) as { tokens?: number[] };
  if (!Array.isArray(tokens)) throw new ServerError('POST /tokenize answered without tokens');
  return tokens;
}

/** Each token's log-probability after those before it (index 0: none). */
async function promptLogprobs(o: PerplexityOptions, window: readonly number[]): Promise<(number | null)[]> {
  const body = { model: o.model, prompt: window, max_tokens: 1, temperature: 0, logprobs: 0, echo: true };
  const res = (await postJson(o.conn, '/v1/completions', body, REQUEST_TIMEOUT_MS)) as {
    choices?: { logprobs?: { token_logprobs?: (number | null)[] } }[];
  };
  const logprobs = res.choices?.[0]?.logprobs?.token_logprobs;
  if (!logprobs || logprobs.length < window.length)
    throw new ServerError('the server gave no prompt log-probabilities for echo with logprobs');
  return logprobs;
}
