/** Settings precedence (flags > environment > config file > defaults) and value parsing. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { SERVE_OPTIONS } from '../src/option-specs.js';
import { byteSize } from '../src/parsers.js';
import { buildProgram } from '../src/program.js';
import { ConfigError, resolveOptions } from '../src/resolve-config.js';

const dir = mkdtempSync(join(tmpdir(), 'x-serve-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolve(args: string[], env: Record<string, string> = {}, file?: object) {
  const argv = [...args];
  if (file) {
    const path = join(dir, `config-${Math.random()}.json`);
    writeFileSync(path, JSON.stringify(file));
    argv.push('--config', path);
  }
  const program = buildProgram(SERVE_OPTIONS);
  program.parse(argv, { from: 'user' });
  return resolveOptions(program, SERVE_OPTIONS, env);
}

describe('precedence', () => {
  test('defaults', () => {
    expect(resolve([])).toMatchObject({
      host: '0.0.0.0',
      port: 8000,
      maxNumSeqs: 64,
      kvCacheMemory: 256 * 2 ** 20,
      enablePrefixCaching: true,
      schedulingPolicy: 'fcfs',
      logLevel: 'info',
    });
    expect(resolve([]).model).toBeUndefined();
  });

  test('file over defaults, environment over file, flags over everything', () => {
    const file = { port: 9000, 'max-num-seqs': 8, 'enable-prefix-caching': false, 'api-key': ['a', 'b'] };
    expect(resolve([], {}, file)).toMatchObject({
      port: 9000,
      maxNumSeqs: 8,
      enablePrefixCaching: false,
      apiKey: ['a', 'b'],
    });
    const env = { X_SERVE_PORT: '9100', X_SERVE_ENABLE_PREFIX_CACHING: 'true' };
    expect(resolve([], env, file)).toMatchObject({ port: 9100, maxNumSeqs: 8, enablePrefixCaching: true });
    expect(resolve(['--port', '9200', '--no-enable-prefix-caching'], env, file)).toMatchObject({
      port: 9200,
      enablePrefixCaching: false,
    });
  });

  test('api keys: several flags values, or a comma list in the environment, with vLLM fallbacks', () => {
    expect(resolve(['--api-key', 'k1', 'k2']).apiKey).toEqual(['k1', 'k2']);
    expect(resolve([], { X_SERVE_API_KEY: 'a, b' }).apiKey).toEqual(['a', 'b']);
    expect(resolve([], { VLLM_API_KEY: 'v' }).apiKey).toEqual(['v']);
    expect(resolve([], { X_API_KEY: 'x' }).apiKey).toEqual(['x']);
  });

  test('the config file may be YAML, as vLLM', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(
      path,
      '# a vLLM-style file\nport: 9000\nenable-prefix-caching: false\napi-key:\n  - k1\n  - k2\n',
    );
    const program = buildProgram(SERVE_OPTIONS);
    program.parse(['--config', path], { from: 'user' });
    expect(resolveOptions(program, SERVE_OPTIONS, {})).toMatchObject({
      port: 9000,
      enablePrefixCaching: false,
      apiKey: ['k1', 'k2'],
    });
    writeFileSync(path, 'port: [unclosed\n');
    expect(() => resolveOptions(program, SERVE_OPTIONS, {})).toThrow(/config file .*config\.yaml/);
  });

  test("a stream's limits: a size and whole seconds", () => {
    expect(resolve([])).toMatchObject({ maxStreamBuffer: 4 * 2 ** 20, streamStallTimeout: 30 });
    expect(resolve(['--max-stream-buffer', '1MiB', '--stream-stall-timeout', '5'])).toMatchObject({
      maxStreamBuffer: 2 ** 20,
      streamStallTimeout: 5,
    });
    expect(resolve([], { X_SERVE_STREAM_STALL_TIMEOUT: '60' }).streamStallTimeout).toBe(60);
    expect(() => resolve([], {}, { 'stream-stall-timeout': 0 })).toThrow(/"stream-stall-timeout".*≥ 1/);
  });

  test('bad values in the file or environment name where they came from', () => {
    expect(() => resolve([], {}, { 'max-num-seqs': 0 })).toThrow(/config file .*"max-num-seqs".*≥ 1/);
    expect(() => resolve([], {}, { 'no-such-flag': 1 })).toThrow(ConfigError);
    expect(() => resolve([], {}, { port: { nested: true } })).toThrow(/expected a string, number or boolean/);
    expect(() => resolve([], { X_SERVE_ENABLE_CHUNKED_PREFILL: 'maybe' })).toThrow(
      /X_SERVE_ENABLE_CHUNKED_PREFILL/,
    );
  });
});

test.each([
  ['268435456', 268435456],
  ['256MiB', 256 * 2 ** 20],
  ['1GiB', 2 ** 30],
  ['1.5 GiB', 1.5 * 2 ** 30],
  ['512MB', 512e6],
  ['64k', 64e3],
])('byte size %s', (text, bytes) => expect(byteSize(text)).toBe(bytes));

test.each(['', '0', '-1MiB', 'lots', '5 parsecs'])('bad byte size %j', (text) =>
  expect(() => byteSize(text)).toThrow(),
);
