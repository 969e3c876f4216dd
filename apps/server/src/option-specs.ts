/**
 * Every `x-serve` setting in one table: its flag (vLLM's name), value
 * parser, default and help. The flags, the `X_SERVE_<FLAG>` environment
 * variables and the config file's keys are all generated from it, so the
 * three ways of setting an option can never disagree.
 * @module
 */
import { LAUNCH_OPTIONS, VLLM_COMPAT_OPTIONS } from './launch-options.js';
import { boolean, byteSize, integer, list, oneOf, text, type Parser } from './parsers.js';

/** One setting. */
export interface OptionSpec {
  /** The flag without dashes (`max-num-seqs`); also the config-file key. */
  readonly name: string;
  /** Shown in `--help` as the value (`<n>`); absent for on/off switches, which also get `--no-<name>`. */
  readonly value?: string;
  readonly description: string;
  /** Parses a flag's value, or the text of an environment variable or config-file entry. */
  readonly parse: Parser<unknown>;
  readonly default?: unknown;
  /** How `--help` shows the default, when not as `String(default)`. */
  readonly defaultText?: string;
  /** Takes several values (`--api-key k1 k2`; comma-separated in the environment). */
  readonly variadic?: boolean;
  /** Environment variables read after `X_SERVE_<NAME>`, in order. */
  readonly env?: readonly string[];
}

/** The environment variable of an option: `X_SERVE_MAX_NUM_SEQS`. */
export const envName = (spec: OptionSpec): string =>
  `X_SERVE_${spec.name.toUpperCase().replaceAll('-', '_')}`;

/** The key of an option in the resolved config (commander's camelCase: `maxNumSeqs`). */
export const configKey = (spec: OptionSpec): string =>
  spec.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Log levels pino knows. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The server's own settings (extensions add theirs; see `extensions.ts`). */
export const SERVE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'model',
    value: '<path>',
    description: 'a GGUF or llama2.c model file (default: the built-in synthetic tiny-random-llama)',
    parse: text,
  },
  {
    name: 'tokenizer',
    value: '<path>',
    description: "llama2.c's tokenizer.bin (GGUF files carry their own)",
    parse: text,
  },
  {
    name: 'served-model-name',
    value: '<name...>',
    description: 'names clients use for the model; the first is reported (default: the --model value)',
    parse: text,
    variadic: true,
  },
  {
    name: 'host',
    value: '<host>',
    description: 'address to bind (0.0.0.0: every interface)',
    parse: text,
    default: '0.0.0.0',
  },
  {
    name: 'port',
    value: '<port>',
    description: 'port to listen on (0: any free port)',
    parse: integer(0, 65535),
    default: 8000,
  },
  {
    name: 'api-key',
    value: '<key...>',
    description: 'keys accepted as "Authorization: Bearer <key>" on /v1/* (default: none, open)',
    parse: text,
    variadic: true,
    env: ['VLLM_API_KEY', 'X_API_KEY'],
  },
  {
    name: 'max-num-seqs',
    value: '<n>',
    description: 'most sequences per step',
    parse: integer(1),
    default: 64,
  },
  {
    name: 'max-num-batched-tokens',
    value: '<n>',
    description: 'most tokens per step (the chunked-prefill budget)',
    parse: integer(1),
    default: 2048,
  },
  {
    name: 'max-model-len',
    value: '<n>',
    description: "longest sequence served (default: the model's context)",
    parse: integer(1),
  },
  {
    name: 'block-size',
    value: '<n>',
    description: 'tokens per KV-cache block',
    parse: integer(1, 1024),
    default: 16,
  },
  {
    name: 'kv-cache-memory',
    value: '<bytes>',
    description: 'KV-cache size: bytes, or 256MiB / 1GiB forms',
    parse: byteSize,
    default: 256 * 2 ** 20,
    defaultText: '256MiB',
  },
  {
    name: 'num-gpu-blocks',
    value: '<n>',
    description: 'exact KV-cache block count (overrides --kv-cache-memory)',
    parse: integer(1),
  },
  {
    name: 'enable-prefix-caching',
    description: 'reuse KV blocks of shared prompt prefixes',
    parse: boolean,
    default: true,
  },
  {
    name: 'enable-chunked-prefill',
    description: 'split long prompts across steps',
    parse: boolean,
    default: true,
  },
  {
    name: 'warmup',
    description: 'run one step of every shape before serving, so no request waits for shader compilation',
    parse: boolean,
    default: true,
  },
  {
    name: 'max-pending-requests',
    value: '<n>',
    description:
      'sequences waiting in the engine before new requests get 503 (with Retry-After); one request needing more gets 400',
    parse: integer(0),
    default: 1024,
  },
  {
    name: 'max-stream-buffer',
    value: '<bytes>',
    description: "most bytes of a stream's events that may wait for a slow client before it is cut off (499)",
    parse: byteSize,
    default: 4 * 2 ** 20,
    defaultText: '4MiB',
  },
  {
    name: 'stream-stall-timeout',
    value: '<seconds>',
    description:
      "how long a stream's events may wait with the client reading none before it is cut off (499)",
    parse: integer(1),
    default: 30,
  },
  {
    name: 'scheduling-policy',
    value: '<policy>',
    description: 'fcfs, or priority (by the request\'s "priority" field)',
    parse: oneOf(['fcfs', 'priority'] as const),
    default: 'fcfs',
  },
  {
    name: 'shutdown-timeout',
    value: '<seconds>',
    description: 'on SIGINT/SIGTERM, how long in-flight requests may finish before they are aborted',
    parse: integer(0),
    default: 5,
  },
  {
    name: 'log-level',
    value: '<level>',
    description: LOG_LEVELS.join(', '),
    parse: oneOf(LOG_LEVELS),
    default: 'info',
  },
  ...LAUNCH_OPTIONS,
  ...VLLM_COMPAT_OPTIONS,
];

/** Parses an environment variable's text: lists are comma-separated. */
export function parseText(spec: OptionSpec, value: string): unknown {
  return spec.variadic ? list(value).map((v) => spec.parse(v)) : spec.parse(value);
}
