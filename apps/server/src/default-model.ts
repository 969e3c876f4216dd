/**
 * The built-in default model: the synthetic `tiny-random-llama`, written
 * deterministically on first use into the user's cache, so the server runs
 * offline with no download.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SYNTHETIC_PRESETS, writeSyntheticLlamaGguf } from '@x/engine';

/** The served name of the default model. */
export const DEFAULT_MODEL_NAME = 'tiny-random-llama';

const PRESET = SYNTHETIC_PRESETS[DEFAULT_MODEL_NAME];

/**
 * Where the default model lives: `$XDG_CACHE_HOME/x-llm/` (else `~/.cache/x-llm/`), under a name
 * that changes with the preset's shape, so a new shape never meets a stale file.
 */
export function defaultModelPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const digest = createHash('sha256').update(JSON.stringify(PRESET)).digest('hex').slice(0, 8);
  return join(cache, 'x-llm', `${DEFAULT_MODEL_NAME}-${digest}.gguf`);
}

/** The default model's path, writing the file first if it is not there. */
export function ensureDefaultModel(path: string = defaultModelPath()): string {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  // Written aside and renamed, so a concurrent start never reads half a file.
  const partial = `${path}.${process.pid}.partial`;
  writeSyntheticLlamaGguf(partial, PRESET);
  renameSync(partial, path);
  return path;
}
