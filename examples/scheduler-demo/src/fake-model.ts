/**
 * A stand-in for the model runner: the next token is a pure function of the
 * request's whole token sequence, and token 0 is end-of-sequence, so some
 * requests stop early and every run prints the same story.
 */
import type { SchedulerOutput } from '@x/scheduler';

/** End-of-sequence token of the fake vocabulary. */
export const EOS_TOKEN = 0;

const VOCAB_SIZE = 64;

/** Samples one token per scheduled entry (-1 for entries that do not sample). */
export function runFakeModel(output: SchedulerOutput): number[] {
  return output.scheduled.map((entry) => {
    if (!entry.samplesToken) return -1;
    let hash = 0x811c9dc5;
    for (const token of entry.request.allTokenIds) hash = Math.imul(hash ^ token, 0x01000193);
    // Final avalanche (MurmurHash3's fmix32) so the low bits used by the modulo are well mixed.
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
    return ((hash ^ (hash >>> 16)) >>> 0) % VOCAB_SIZE;
  });
}
