/**
 * Prompt text: seeded sequences of common English words. Each prompt has its
 * own stream, so its first words differ from every other prompt's (no prefix
 * is shared by chance, which would let a prefix cache skip work), and a
 * longer prompt from the same stream starts with the shorter one.
 * @module
 */
import { seededSource } from './rng.js';

/** Short, frequent words: one token each in most BPE vocabularies, so words ≈ tokens before calibration. */
const WORDS = (
  'the of and to in is that it was for on are as with his they at be this from have or by one had not but ' +
  'what all were when we there can an your which their said if do will each about how up out them then she ' +
  'many some so these would other into has more her two like him see time could no make than first been its ' +
  'who now people my made over did down only way find use may water long little very after words called just ' +
  'where most know get through back much before go good new write our used me man too any day same right look ' +
  'think also around another came come work three word must because does part even place well such here take ' +
  'why things help put years different away again off went old number great tell men say small every found'
).split(' ');

/** Which prompt of the run: runs of a sweep and the warm-up each get their own prompts. */
export interface PromptKey {
  /** `warmup`, or the run's index in the sweep. */
  readonly run: number | 'warmup';
  /** The request's index in the workload. */
  readonly index: number;
}

/** The first `count` words of the prompt `key` under `seed`, joined by spaces. */
export function promptText(seed: number, key: PromptKey, count: number): string {
  const source = seededSource(seed, `prompt/${key.run}/${key.index}`);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORDS[Math.floor(source() * WORDS.length)]!);
  return words.join(' ');
}
