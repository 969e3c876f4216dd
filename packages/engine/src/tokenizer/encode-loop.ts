/**
 * The encode loop behind `Tokenizer.encode` and `Tokenizer.encodeAsync`: special-token split, each
 * raw fragment's words a stretch at a time, BOS/EOS around. It is a generator that pauses after
 * every stretch, so that the async form can hand the event loop back between stretches of a long
 * text, and it stops as soon as it has more ids than the caller can use.
 * @module
 */
import { setImmediate } from 'node:timers/promises';
import type { Vocab } from './vocab.js';
import type { WordCache, WordEncoder } from './words.js';

/** How {@link Tokenizer.encode} treats special tokens, and when it may stop. */
export interface EncodeOptions {
  /**
   * Match control tokens written in the text (`<s>`, `<|im_start|>`) as single ids. Default false, so
   * user text cannot inject them; pass true for prompts rendered from a chat template.
   */
  parseSpecial?: boolean;
  /** Add BOS/EOS as the spec's addBosToken/addEosToken say (default true). */
  addSpecialTokens?: boolean;
  /**
   * Stop once the text has given more ids than this: the result is then its first `maxTokens + 1`
   * ids, so `length > maxTokens` says the text is too long without tokenizing the rest of it.
   */
  maxTokens?: number;
}

/** UTF-16 code units encoded between two pauses of the loop: well under a millisecond of work. */
export const STRETCH_CHARS = 4096;
/** The most time {@link encodeAsync} keeps the event loop before letting other work run. */
const SLICE_MS = 10;

/**
 * The loop for `text`; it yields after every stretch of about `stretch` code units and every
 * special token, and returns the ids. Where it pauses never changes them.
 */
export function* encodeSteps(
  vocab: Vocab,
  encoder: WordEncoder,
  text: string,
  options: EncodeOptions,
  stretch = STRETCH_CHARS,
): Generator<void, number[], void> {
  const { parseSpecial = false, addSpecialTokens = true, maxTokens = Infinity } = options;
  const { addBos, addEos, bosId, eosId } = vocab;
  const out: number[] = [];
  const cache: WordCache = new Map();
  const fragments = vocab.split(text, parseSpecial);
  let next = fragments.next();
  // A rendered chat prompt may already start with BOS; never send two.
  if (addSpecialTokens && addBos && next.value !== bosId) out.push(bosId as number);
  for (let atStart = true; !next.done; next = fragments.next()) {
    const fragment = next.value;
    if (typeof fragment === 'number') out.push(fragment);
    else {
      const words = encoder.prepare(fragment, atStart);
      let at = 0;
      while (at < words.length && out.length <= maxTokens) {
        at = yield* encoder.encodeWords(words, at, at + stretch, out, cache);
        yield;
      }
    }
    if (out.length > maxTokens) return cut(out, maxTokens);
    // llama.cpp adds the dummy prefix at the start and after every special token.
    atStart = typeof fragment === 'number';
    yield;
  }
  if (addSpecialTokens && addEos) out.push(eosId as number);
  return cut(out, maxTokens);
}

/** Ids past the first `maxTokens + 1` dropped. */
function cut(ids: number[], maxTokens: number): number[] {
  if (ids.length > maxTokens) ids.length = maxTokens + 1;
  return ids;
}

/** Runs the loop, letting other callbacks run whenever it has held the event loop for {@link SLICE_MS}. */
export async function encodeAsync(steps: Generator<void, number[], void>): Promise<number[]> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= SLICE_MS) {
      await setImmediate();
      since = performance.now();
    }
  }
}
