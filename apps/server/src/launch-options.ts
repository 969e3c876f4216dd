/**
 * The settings vLLM launch scripts commonly pass: those that change how
 * requests are served (request defaults, the chat template, the proxy
 * prefix, TLS, CORS, request logging), and those that choose what x-serve
 * does one way only ({@link VLLM_COMPAT_OPTIONS}, checked by
 * `checkVllmFlags`). They join the option table, so each has its
 * `X_SERVE_<FLAG>` variable and config-file key like every other.
 * @module
 */
import type { OptionSpec } from './option-specs.js';
import { boolean, fraction, integer, jsonList, oneOf, text } from './parsers.js';

/** The sampler returns at most this many alternatives per token. */
const SAMPLER_MAX_LOGPROBS = 20;

export const LAUNCH_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'seed',
    value: '<n>',
    description: 'requests that give no seed draw theirs from a sequence started here (reproducible runs)',
    parse: integer(0),
  },
  {
    name: 'max-logprobs',
    value: '<n>',
    description: `most logprobs / top_logprobs / prompt_logprobs a request may ask for (at most ${SAMPLER_MAX_LOGPROBS})`,
    parse: integer(0, SAMPLER_MAX_LOGPROBS),
    default: SAMPLER_MAX_LOGPROBS,
  },
  {
    name: 'long-prefill-token-threshold',
    value: '<n>',
    description:
      'most prompt tokens of one request per step, so long prompts cannot starve others (0: no cap)',
    parse: integer(0),
    default: 0,
  },
  {
    name: 'chat-template',
    value: '<file|template>',
    description: "a Jinja chat template, or a file holding one, used instead of the model's",
    parse: text,
  },
  {
    name: 'generation-config',
    value: '<source>',
    description: "auto or vllm: request defaults are vLLM's (a GGUF file carries no generation_config.json)",
    parse: oneOf(['auto', 'vllm'] as const),
    default: 'auto',
  },
  {
    name: 'root-path',
    value: '<path>',
    description: 'the path prefix a proxy serves x-serve under; routes answer with and without it',
    parse: text,
  },
  {
    name: 'ssl-keyfile',
    value: '<file>',
    description: 'PEM private key: serve HTTPS (with --ssl-certfile)',
    parse: text,
  },
  {
    name: 'ssl-certfile',
    value: '<file>',
    description: 'PEM certificate (chain): serve HTTPS (with --ssl-keyfile)',
    parse: text,
  },
  {
    name: 'allowed-origins',
    value: '<json>',
    description: 'CORS: origins browsers may call from, a JSON list',
    parse: jsonList,
    default: ['*'],
    defaultText: '["*"]',
  },
  {
    name: 'allowed-methods',
    value: '<json>',
    description: 'CORS: methods allowed, a JSON list',
    parse: jsonList,
    default: ['*'],
    defaultText: '["*"]',
  },
  {
    name: 'allowed-headers',
    value: '<json>',
    description: 'CORS: request headers allowed, a JSON list',
    parse: jsonList,
    default: ['*'],
    defaultText: '["*"]',
  },
  {
    name: 'allow-credentials',
    description: 'CORS: allow cookies and authorization headers',
    parse: boolean,
    default: false,
  },
  {
    name: 'disable-log-requests',
    description: 'no info log line per generation request (failures are still logged)',
    parse: boolean,
    default: false,
  },
  {
    name: 'disable-log-stats',
    description:
      'no stats line every 10 s while busy (throughputs, requests, KV cache); preemption warnings stay',
    parse: boolean,
    default: false,
  },
];

/** vLLM's flags for choices x-serve makes one way only: accepted when they mean that, else refused or warned about. */
export const VLLM_COMPAT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'dtype',
    value: '<dtype>',
    description: "auto or float32: activations are float32; the weights keep the model file's types",
    parse: text,
    default: 'auto',
  },
  {
    name: 'kv-cache-dtype',
    value: '<dtype>',
    description: 'auto or float32: the KV cache is float32',
    parse: text,
    default: 'auto',
  },
  {
    name: 'quantization',
    value: '<method>',
    description: "gguf or unset: the weights' types come from the model file",
    parse: text,
  },
  {
    name: 'gpu-memory-utilization',
    value: '<fraction>',
    description: 'accepted, no effect: size the KV cache with --kv-cache-memory or --num-gpu-blocks',
    parse: fraction,
  },
  {
    name: 'tensor-parallel-size',
    value: '<n>',
    description: 'only 1: one device serves the model',
    parse: integer(1),
  },
  {
    name: 'enforce-eager',
    description: 'accepted, no effect: there are no CUDA graphs (see --warmup)',
    parse: boolean,
  },
  {
    name: 'trust-remote-code',
    description: 'accepted, no effect: model files carry no code',
    parse: boolean,
  },
  {
    name: 'enable-auto-tool-choice',
    description: 'refused: tool calling is not supported yet',
    parse: boolean,
  },
  {
    name: 'tool-call-parser',
    value: '<parser>',
    description: 'refused: tool calling is not supported yet',
    parse: text,
  },
];
