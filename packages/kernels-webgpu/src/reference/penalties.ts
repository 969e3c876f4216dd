/**
 * float64 reference of {@link PenaltyKernel}: vLLM's formulas, dense over the vocabulary.
 * @module
 */
import type { LogitPenalties } from '../kernels/sampling/penalties.js';

/** Returns `logits` ([rows.length, vocab]) with each row's bias and penalties applied. */
export function penaltiesRef(
  logits: ArrayLike<number>,
  vocab: number,
  rows: readonly (LogitPenalties | undefined)[],
): Float64Array {
  const out = Float64Array.from(logits);
  rows.forEach((p, r) => {
    if (!p) return;
    const rep = p.repetitionPenalty ?? 1;
    for (let token = 0; token < vocab; token++) {
      const count = p.outputCounts?.get(token) ?? 0;
      let l = out[r * vocab + token]! + (p.logitBias?.get(token) ?? 0);
      if (rep !== 1 && (count > 0 || p.promptTokens?.has(token))) l = l > 0 ? l / rep : l * rep;
      l -= (p.frequencyPenalty ?? 0) * count + (count > 0 ? (p.presencePenalty ?? 0) : 0);
      out[r * vocab + token] = l;
    }
  });
  return out;
}
