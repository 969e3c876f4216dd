/** The golden outputs of llama2.c's run.c on stories260K, and engines over the test models. */
import { readFileSync } from 'node:fs';
import { createEngine, type Engine, type EngineOptions, type GenerationOutput } from '../src/index.js';
import { modelPath } from '@x/test-models';

export interface GoldenRun {
  prompt: string;
  prompt_token_ids: number[];
  generated_token_ids: number[];
  generated_text: string;
}

export interface Golden {
  runs: GoldenRun[];
  first_logits_bos: number[];
  logits_after_prompt: number[];
  logits_prompt_token_ids: number[];
}

export const golden = (): Golden =>
  JSON.parse(readFileSync(modelPath('stories260K.golden.json'), 'utf8')) as Golden;

/** An engine on stories260K: the GGUF, or the llama2.c checkpoint with tok512. */
export function storiesEngine(
  format: 'gguf' | 'llama2c',
  options: Partial<EngineOptions> = {},
): Promise<Engine> {
  return createEngine({
    model: modelPath(format === 'gguf' ? 'stories260K.gguf' : 'stories260K.bin'),
    ...(format === 'llama2c' && { tokenizer: modelPath('tok512.bin') }),
    kvCache: { numBlocks: 256 },
    ...options,
  });
}

/** Runs a generation to the end; returns the token ids and text of each sequence, and the outputs. */
export async function collect(
  it: AsyncIterable<GenerationOutput>,
): Promise<{ ids: number[][]; text: string[]; outputs: GenerationOutput[] }> {
  const ids: number[][] = [];
  const text: string[] = [];
  const outputs: GenerationOutput[] = [];
  for await (const o of it) {
    outputs.push(o);
    (ids[o.index] ??= []).push(...o.tokenIds);
    text[o.index] = (text[o.index] ?? '') + o.text;
  }
  return { ids, text, outputs };
}
