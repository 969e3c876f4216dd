/**
 * Which tokens end a generation. EOS alone is not enough for chat models: llama 3 ends a turn
 * with `<|eot_id|>`, Qwen2 with `<|im_end|>`, Gemma with `<end_of_turn>`, and their GGUF files
 * often name only EOS. Like llama.cpp (`special_eog_ids`), the set is EOS, the file's EOT and
 * EOM ids, and any special token spelled as one of the well-known end-of-turn markers.
 * @module
 */
import { TokenType } from './spec.js';

/** End-of-turn spellings llama.cpp recognises (llama-vocab.cpp), matched on special tokens only. */
export const END_OF_TURN_TEXTS: readonly string[] = [
  '<|eot_id|>',
  '<|eom_id|>',
  '<|im_end|>',
  '<|end|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '<|end_of_text|>',
  '<EOT>',
  '_<EOT>',
  '<｜end▁of▁sentence｜>',
];

/** What {@link endOfGenerationIds} reads from a vocabulary. */
export interface EndOfGenerationSource {
  readonly tokens: readonly string[];
  readonly types: Uint8Array;
  readonly eosId: number | undefined;
  readonly eotId: number | undefined;
  readonly eomId: number | undefined;
}

/** The sorted, distinct ids that end a generation (empty when the vocabulary names none). */
export function endOfGenerationIds(v: EndOfGenerationSource): number[] {
  const ids = new Set<number>();
  for (const id of [v.eosId, v.eotId, v.eomId]) if (id !== undefined) ids.add(id);
  const texts = new Set(END_OF_TURN_TEXTS);
  v.tokens.forEach((text, id) => {
    const type = v.types[id];
    // A NORMAL piece that happens to read `<|end|>` is ordinary text, never a stop.
    if ((type === TokenType.control || type === TokenType.userDefined) && texts.has(text)) ids.add(id);
  });
  return [...ids].sort((a, b) => a - b);
}
