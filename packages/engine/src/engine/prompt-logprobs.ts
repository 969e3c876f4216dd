/**
 * A request's prompt log-probabilities, collected across the steps that
 * compute its prompt (chunked prefill spreads them; a recompute after
 * preemption scores the same positions again, to the same values).
 * @module
 */
import type { PromptScores, PromptScoring, ScoredRange } from '../runner/prompt-scores.js';
import type { CoreToken } from './engine-core.js';

/** Top-n pairs `[id, logprob]` of one row of a `[rows, cols]` pair of arrays. */
export function topOf(
  arrays: { readonly topIds: Int32Array; readonly topLogprobs: Float32Array },
  row: number,
  cols: number,
  wanted: number,
): [number, number][] {
  const top: [number, number][] = [];
  for (let c = 0; c < Math.min(cols, wanted); c++) {
    top.push([arrays.topIds[row * cols + c]!, arrays.topLogprobs[row * cols + c]!]);
  }
  return top;
}

/** Scores of prompt positions 1..L-1 (the first token has no context to be scored in). */
export class PromptLogprobs {
  readonly scoring: PromptScoring;
  readonly #tokens: CoreToken[];

  constructor(promptTokenIds: readonly number[], numLogprobs: number) {
    this.scoring = { promptTokenIds, numLogprobs };
    this.#tokens = new Array<CoreToken>(promptTokenIds.length - 1);
  }

  /** Stores a step's scores of this request's positions. */
  collect(range: ScoredRange, scores: PromptScores): void {
    const prompt = this.scoring.promptTokenIds;
    for (let i = 0; i < range.count; i++) {
      const row = range.first + i;
      const position = range.firstPosition + i;
      this.#tokens[position] = {
        id: prompt[position + 1]!,
        logprob: scores.logprobs[row]!,
        top: topOf(scores, row, scores.topColumns, this.scoring.numLogprobs),
      };
    }
  }

  /** Every score, once the whole prompt has been computed. */
  get tokens(): readonly CoreToken[] {
    return this.#tokens;
  }
}
