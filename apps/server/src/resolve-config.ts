/**
 * Merges the four sources of settings with the precedence flags >
 * environment (`X_SERVE_<FLAG>`) > config file (`--config`, YAML or JSON) > defaults,
 * parsing every value with its option's own parser.
 * @module
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { configKey, envName, parseText, type OptionSpec } from './option-specs.js';

/** Settings by config key (`maxNumSeqs`); unset options are absent. */
export type ResolvedOptions = Record<string, unknown>;

/** A bad environment variable or config file; the CLI exits with status 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The settings for `command` (already parsed) from flags, `env`, the `--config` file and defaults. */
export function resolveOptions(
  command: Command,
  specs: readonly OptionSpec[],
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOptions {
  const flags = command.opts<Record<string, unknown>>();
  const file = typeof flags.config === 'string' ? readConfigFile(flags.config, specs) : {};
  const out: ResolvedOptions = {};
  for (const spec of specs) {
    const key = configKey(spec);
    const fromEnv = [envName(spec), ...(spec.env ?? [])].find((name) => env[name] !== undefined);
    let value: unknown;
    if (command.getOptionValueSource(key) === 'cli') value = flags[key];
    else if (fromEnv !== undefined) value = parseFrom(spec, env[fromEnv]!, `environment variable ${fromEnv}`);
    else if (key in file) value = file[key];
    else value = spec.default;
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Reads a YAML config file whose keys are flag names (`max-num-seqs: 32`), as vLLM's `--config`;
 * JSON is YAML too, so a JSON file reads the same.
 */
export function readConfigFile(path: string, specs: readonly OptionSpec[]): ResolvedOptions {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`config file ${path}: expected a mapping of flag names to values`);
  }
  const out: ResolvedOptions = {};
  for (const [name, value] of Object.entries(raw)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new ConfigError(`config file ${path}: unknown option "${name}"`);
    const where = `config file ${path}, "${name}"`;
    if (spec.variadic && Array.isArray(value))
      out[configKey(spec)] = value.map((v) => parseFrom(spec, String(v), where, false));
    // A list for a one-value option (`allowed-origins: ["*"]`) is its JSON text.
    else if (Array.isArray(value)) out[configKey(spec)] = parseFrom(spec, JSON.stringify(value), where);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[configKey(spec)] = parseFrom(spec, String(value), where);
    } else throw new ConfigError(`${where}: expected a string, number or boolean`);
  }
  return out;
}

/** Parses `value` for `spec`; a list's text is comma-separated unless `asText` is false (one element). */
function parseFrom(spec: OptionSpec, value: string, where: string, asText = true): unknown {
  try {
    return asText ? parseText(spec, value) : spec.parse(value);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
}
