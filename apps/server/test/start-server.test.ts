/** `startServer` and its graceful shutdown: in-flight requests finish, or are aborted cleanly after the timeout. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { defaultModelPath, ensureDefaultModel, startServer } from '../src/index.js';

const cache = mkdtempSync(join(tmpdir(), 'x-serve-start-'));
const model = ensureDefaultModel(defaultModelPath({ XDG_CACHE_HOME: cache }));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const base = { model, host: '127.0.0.1', port: 0, kvCacheMemory: 8 * 2 ** 20, servedModelName: 'tiny' };

/** Starts a long stream; once it has begun, returns the promise of its whole text. */
async function openStream(url: string): Promise<{ text: Promise<string> }> {
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny', prompt: 'Hello', max_tokens: 40, ignore_eos: true, stream: true }),
  });
  const reader = res.body!.getReader();
  const first = await reader.read();
  const text = (async () => {
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
    }
  })();
  return { text };
}

test('the default model is written once, deterministically', () => {
  expect(defaultModelPath({ XDG_CACHE_HOME: cache })).toBe(model);
  expect(model).toMatch(/x-llm\/tiny-random-llama-[0-9a-f]{8}\.gguf$/);
});

test('close lets an in-flight stream finish, then stops', async () => {
  const server = await startServer({ ...base, shutdownTimeout: 30 });
  expect(server.summary).toMatchObject({ servedModelName: 'tiny', architecture: 'llama', blockSize: 16 });
  const stream = await openStream(server.url);
  await server.close();
  const text = await stream.text;
  expect(text).toContain('"finish_reason":"length"');
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  await expect(fetch(`${server.url}/health`)).rejects.toThrow();
});

test('past the shutdown timeout, in-flight streams end with an error frame and [DONE]', async () => {
  const server = await startServer({ ...base, shutdownTimeout: 0 });
  const stream = await openStream(server.url);
  await server.close();
  const text = await stream.text;
  expect(text).toContain('"code":503');
  expect(text).toContain('shutting down');
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
});
