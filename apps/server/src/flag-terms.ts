/**
 * The engine's settings errors in the command line's words: each option the
 * engine or its scheduler names (`maxModelLen`, `kvCache`…) becomes the flag
 * that sets it (`--max-model-len`, `--num-gpu-blocks or --kv-cache-memory`).
 * @module
 */
import { configKey, type OptionSpec } from './option-specs.js';

/** Engine and scheduler option names that are not a flag's own config key. */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  kvCache: '--num-gpu-blocks or --kv-cache-memory',
  numBlocks: '--num-gpu-blocks',
};

/** `message` with every camelCase option name that a flag sets replaced by that flag. */
export function inFlagTerms(message: string, specs: readonly OptionSpec[]): string {
  const flags = new Map(specs.map((spec) => [configKey(spec), `--${spec.name}`]));
  return message.replace(/\b[a-z]+[A-Z][A-Za-z]*\b/g, (name) => OTHER_NAMES[name] ?? flags.get(name) ?? name);
}
