/**
 * Prompts of (about) the requested token length on the target server. With
 * the server's `/tokenize`, the number of words is searched until the
 * server's count (template and special tokens included, as `usage.prompt_tokens`
 * will report it) hits the length, or is as close as whole words allow.
 * Without it, one token per word is assumed.
 * @module
 */
import pLimit from 'p-limit';
import { promptText, type PromptKey } from './prompt-text.js';
import type { TokenCounter } from './server-api.js';
import type { PlannedRequest } from './workload.js';

/** A request with its prompt. */
export interface PreparedRequest extends PlannedRequest {
  readonly prompt: string;
  /** Words in the prompt: with the seed, all it takes to write it again. */
  readonly promptWords: number;
  /** The server's count of the prompt's tokens, when it has `/tokenize`. */
  readonly countedTokens?: number;
}

/** Tokens per word assumed when the server cannot count. */
export const ESTIMATED_TOKENS_PER_WORD = 1;
/** Word counts tried per prompt before settling on the closest. */
const MAX_TRIES = 6;
/** Words in the sample that measures the server's tokens per word. */
const SAMPLE_WORDS = 200;

interface Calibration {
  /** Tokens of an empty prompt: BOS, or the chat template's frame. */
  readonly base: number;
  readonly tokensPerWord: number;
}

async function calibrate(count: TokenCounter, seed: number): Promise<Calibration> {
  const base = await count('');
  const sample = await count(promptText(seed, { run: 'warmup', index: -1 }, SAMPLE_WORDS));
  return { base, tokensPerWord: Math.max(0.1, (sample - base) / SAMPLE_WORDS) };
}

/** Searches the word count whose token count is closest to `target` (ties: the shorter). */
async function fitWords(
  count: (words: number) => Promise<number>,
  target: number,
  { base, tokensPerWord }: Calibration,
): Promise<{ words: number; tokens: number }> {
  const tried = new Map<number, number>();
  let words = Math.max(1, Math.round((target - base) / tokensPerWord));
  for (let i = 0; i < MAX_TRIES && !tried.has(words); i++) {
    const tokens = await count(words);
    tried.set(words, tokens);
    if (tokens === target) break;
    const step = Math.round((target - tokens) / tokensPerWord) || Math.sign(target - tokens);
    words = Math.max(1, words + step);
  }
  let best = { words: 0, tokens: Infinity };
  for (const [w, tokens] of tried) {
    const d = Math.abs(tokens - target) - Math.abs(best.tokens - target);
    if (d < 0 || (d === 0 && tokens < best.tokens)) best = { words: w, tokens };
  }
  return best;
}

/** Writes the prompts of `requests` for one run (`run`), calibrated on the server when `counter` is given. */
export async function preparePrompts(
  requests: readonly PlannedRequest[],
  options: { readonly seed: number; readonly run: PromptKey['run']; readonly counter?: TokenCounter },
): Promise<PreparedRequest[]> {
  const { seed, run, counter } = options;
  if (!counter) {
    return requests.map((r) => {
      const promptWords = Math.max(1, Math.round(r.inputLen / ESTIMATED_TOKENS_PER_WORD));
      return { ...r, prompt: promptText(seed, { run, index: r.index }, promptWords), promptWords };
    });
  }
  const calibration = await calibrate(counter, seed);
  const limit = pLimit(8);
  return Promise.all(
    requests.map((r) =>
      limit(async () => {
        const text = (words: number) => promptText(seed, { run, index: r.index }, words);
        const fit = await fitWords((words) => counter(text(words)), r.inputLen, calibration);
        return { ...r, prompt: text(fit.words), promptWords: fit.words, countedTokens: fit.tokens };
      }),
    ),
  );
}
