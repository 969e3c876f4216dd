/**
 * vLLM's launch flags, resolved and checked without a GPU: each is accepted
 * in its three forms (flag, `X_SERVE_<FLAG>`, config file); values that mean
 * what x-serve does pass, those that cannot apply give one warning line,
 * those that cannot be honoured are refused naming the flag; the files a
 * launch line names are checked with errors that say what was expected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { SYNTHETIC_PRESETS, writeSyntheticLlamaGguf } from '@x/engine';
import { checkLaunchFiles } from '../src/launch-files.js';
import { SERVE_OPTIONS } from '../src/option-specs.js';
import { buildProgram } from '../src/program.js';
import { ConfigError, resolveOptions } from '../src/resolve-config.js';
import { checkVllmFlags } from '../src/vllm-compat.js';

const dir = mkdtempSync(join(tmpdir(), 'x-serve-vllm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolve(args: string[], env: Record<string, string> = {}, file?: string) {
  const argv = [...args];
  if (file !== undefined) {
    const path = join(dir, `config-${Math.random()}.yaml`);
    writeFileSync(path, file);
    argv.push('--config', path);
  }
  const program = buildProgram(SERVE_OPTIONS);
  program.parse(argv, { from: 'user' });
  return resolveOptions(program, SERVE_OPTIONS, env);
}

/** What `args` resolve to and the warnings, or the refusal's message. */
function check(args: string[]): { warnings: string[] } | { error: string } {
  try {
    return { warnings: checkVllmFlags(resolve(args)) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { error: error.message };
  }
}

describe("the launch line from vLLM's docs", () => {
  test('resolves, with one warning for --gpu-memory-utilization', () => {
    const args = ['--host', '0.0.0.0', '--port', '8000', '--max-model-len', '2048', '--disable-log-requests'];
    args.push('--gpu-memory-utilization', '0.9', '--seed', '0', '--allowed-origins', '["*"]');
    const settings = resolve(args);
    expect(settings).toMatchObject({ disableLogRequests: true, seed: 0, allowedOrigins: ['*'] });
    expect(checkVllmFlags(settings)).toEqual([
      expect.stringMatching(
        /^--gpu-memory-utilization 0.9 is ignored: WebGPU adapters do not report their memory; the KV cache is sized by --kv-cache-memory or --num-gpu-blocks$/,
      ),
    ]);
  });

  test("defaults are vLLM's", () => {
    expect(resolve([])).toMatchObject({
      maxLogprobs: 20,
      allowedOrigins: ['*'],
      allowedMethods: ['*'],
      allowedHeaders: ['*'],
      allowCredentials: false,
      dtype: 'auto',
      kvCacheDtype: 'auto',
      generationConfig: 'auto',
      disableLogRequests: false,
    });
    expect(check([])).toEqual({ warnings: [] });
  });
});

describe('each flag in its three forms', () => {
  test.each([
    ['seed', '7', 'seed', 7],
    ['max-logprobs', '5', 'maxLogprobs', 5],
    ['long-prefill-token-threshold', '256', 'longPrefillTokenThreshold', 256],
    ['allowed-origins', '["https://a.example"]', 'allowedOrigins', ['https://a.example']],
    ['root-path', '/llm', 'rootPath', '/llm'],
    ['kv-cache-dtype', 'float32', 'kvCacheDtype', 'float32'],
  ])('--%s %s', (flag, value, key, parsed) => {
    const env = `X_SERVE_${flag.toUpperCase().replaceAll('-', '_')}`;
    expect(resolve([`--${flag}`, value])[key]).toEqual(parsed);
    expect(resolve([], { [env]: value })[key]).toEqual(parsed);
    expect(resolve([], {}, `${flag}: '${value}'`)[key]).toEqual(parsed);
  });

  test("a YAML list is a JSON-list flag's value; a bad list names the flag", () => {
    expect(
      resolve([], {}, 'allowed-origins: ["https://a.example", "https://b.example"]').allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
    expect(() => resolve([], { X_SERVE_ALLOWED_ORIGINS: '*' })).toThrow(
      /X_SERVE_ALLOWED_ORIGINS: expected a JSON list of strings such as '\["\*"\]', got \*/,
    );
    expect(() => resolve(['--max-logprobs', '21'])).toThrow(/expected an integer in \[0, 20\]/);
  });

  test('switches', () => {
    expect(resolve(['--enforce-eager', '--trust-remote-code', '--allow-credentials'])).toMatchObject({
      enforceEager: true,
      trustRemoteCode: true,
      allowCredentials: true,
    });
    expect(resolve([], { X_SERVE_DISABLE_LOG_STATS: 'true' }).disableLogStats).toBe(true);
  });
});

describe('values that mean what x-serve does pass; others are refused, naming the flag', () => {
  test.each([
    [['--dtype', 'auto']],
    [['--dtype', 'float32']],
    [['--kv-cache-dtype', 'fp32']],
    [['--quantization', 'gguf']],
    [['--generation-config', 'vllm']],
  ])('%j', (args) => {
    expect(check(args)).toEqual({ warnings: [] });
  });

  test.each([
    [
      ['--dtype', 'bfloat16'],
      /^--dtype bfloat16 cannot be honoured: x-serve computes in float32 .*use auto or float32$/,
    ],
    [['--dtype', 'half'], /^--dtype half cannot be honoured/],
    [
      ['--kv-cache-dtype', 'fp8'],
      /^--kv-cache-dtype fp8 cannot be honoured: the KV cache is stored as float32/,
    ],
    [['--kv-cache-dtype', 'fp8_e5m2'], /^--kv-cache-dtype fp8_e5m2 cannot be honoured/],
    [
      ['--quantization', 'awq'],
      /^--quantization awq cannot be honoured: the weights' types come from the model file/,
    ],
    [
      ['--tensor-parallel-size', '2'],
      /^--tensor-parallel-size 2 cannot be honoured: x-serve serves a model on one device/,
    ],
    [['--enable-auto-tool-choice'], /^--enable-auto-tool-choice: tool calling is not supported yet$/],
    [['--tool-call-parser', 'hermes'], /^--tool-call-parser: tool calling is not supported yet$/],
    [['--ssl-keyfile', 'key.pem'], /--ssl-keyfile and --ssl-certfile go together/],
  ])('%j is refused', (args, message) => {
    const result = check(args);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toMatch(message);
  });

  test('--generation-config takes auto or vllm', () => {
    expect(() => resolve(['--generation-config', './my-model'])).toThrow(/expected one of auto, vllm/);
  });

  test.each([
    [['--tensor-parallel-size', '1'], '--tensor-parallel-size 1 is ignored: one device serves the model'],
    [
      ['--enforce-eager'],
      '--enforce-eager is ignored: there are no CUDA graphs; GPU pipelines are built at start-up (--warmup)',
    ],
    [['--trust-remote-code'], '--trust-remote-code is ignored: model files carry no code'],
  ])('%j is accepted with one warning line', (args, line) => {
    expect(check(args)).toEqual({ warnings: [line] });
  });
});

describe('the files a launch line names', () => {
  const gguf = join(dir, 'model.gguf');
  writeSyntheticLlamaGguf(gguf, SYNTHETIC_PRESETS['tiny-random-llama']);
  const files = (settings: Record<string, unknown>) => () => checkLaunchFiles(settings);
  const EXPECTED =
    /expected a GGUF file, or a llama2.c checkpoint with --tokenizer; convert a Hugging Face model with llama.cpp's convert_hf_to_gguf.py$/;

  test('a GGUF file passes', () => {
    expect(checkLaunchFiles({ model: gguf })).toEqual({ model: gguf });
  });

  test.each([
    ['a missing file', join(dir, 'missing.gguf'), /^--model \S+missing.gguf: no such file; /],
    ['a directory (a Hugging Face snapshot)', dir, /^--model \S+ is not a file \(a directory\?\); /],
  ])('%s', (_, model, message) => {
    expect(files({ model })).toThrow(message);
    expect(files({ model })).toThrow(EXPECTED);
  });

  test('a safetensors file says so, not what its bytes would mean as a checkpoint', () => {
    const header = Buffer.from('{"__metadata__":{}}');
    const path = join(dir, 'model.safetensors');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(path, Buffer.concat([length, header]));
    expect(files({ model: path })).toThrow(
      /^--model \S+model.safetensors is a safetensors file: expected a GGUF file/,
    );
  });

  test('a file that is not GGUF without --tokenizer names the flag', () => {
    const path = join(dir, 'model.bin');
    writeFileSync(path, Buffer.alloc(64, 7));
    expect(files({ model: path })).toThrow(
      /^--model \S+model.bin is not a GGUF file; a llama2.c checkpoint needs --tokenizer <tokenizer.bin>/,
    );
    expect(files({ model: path, tokenizer: path })).toThrow(
      /^--model \S+model.bin: .*\(expected a GGUF file/,
    );
  });

  test('TLS files and the tokenizer must be files', () => {
    expect(files({ sslKeyfile: join(dir, 'key.pem') })).toThrow(/^--ssl-keyfile \S+key.pem: no such file/);
    expect(files({ tokenizer: dir })).toThrow(/^--tokenizer \S+ is not a file/);
  });

  test('--chat-template: a file, or the template itself; a path-like value that is no file is refused', () => {
    const template = '{% for m in messages %}{{ m.content }}{% endfor %}';
    const path = join(dir, 'template.jinja');
    writeFileSync(path, template);
    expect(checkLaunchFiles({ chatTemplate: path })).toEqual({ chatTemplate: template });
    expect(checkLaunchFiles({ chatTemplate: template })).toEqual({ chatTemplate: template });
    expect(files({ chatTemplate: 'templates/chatml.jinja' })).toThrow(
      /^--chat-template templates\/chatml.jinja: no such file, and not a Jinja template$/,
    );
    expect(files({ chatTemplate: '{% for %}' })).toThrow(/^--chat-template: chat template: cannot parse/);
  });
});
