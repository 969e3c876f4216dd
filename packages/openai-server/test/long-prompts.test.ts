/**
 * Multi-megabyte prompts never stall the server: `/tokenize` tokenizes them whole in slices, and the
 * generation routes refuse them as soon as they are known to be longer than the context, while the
 * event loop stays responsive (`/health` keeps answering; the longest stretch of main-thread work
 * between two turns of the event loop is measured in the thread's CPU time).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MODEL, postJson, startTestServer, type TestServer } from './fixtures.js';

/**
 * The longest the event loop may stall, in CPU time of the main thread between two turns of the
 * loop. Tokenizing 3.8 MB in one go held it for seconds (3.2 s of CPU here at the old ~1.2 MB/s on
 * an idle machine; 26 s as first reported). Now what remains is reading the JSON body (~40 ms) and
 * GC pauses: 20–100 ms on a quiet machine; with every package's tests running on a cold shader
 * cache, up to 515 ms (a full collection of a heap holding the text and its millions of ids, on a
 * thread sharing its core). CPU time, not wall time: under that load the operating system alone
 * kept this process off the CPU for up to 1.7 s (`monitorEventLoopDelay` saw that as a stall),
 * which says nothing about the server. 1 s still fails the old behaviour threefold on a quiet
 * machine; the typical figures are in docs/benchmarks.md.
 */
const MAX_STALL_MS = 1000;

/**
 * Samples the main thread's CPU time on every turn of the event loop (a 5 ms timer chain); `stop()`
 * gives the most it used between two turns, in ms.
 */
function longestWork(): { stop(): number } {
  let last = process.threadCpuUsage();
  let longest = 0;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const used = process.threadCpuUsage(last);
    longest = Math.max(longest, (used.user + used.system) / 1000);
    last = process.threadCpuUsage();
    timer = setTimeout(tick, 5);
  };
  timer = setTimeout(tick, 5);
  return {
    stop: () => {
      clearTimeout(timer);
      return longest;
    },
  };
}

/** About `bytes` of story text with numbers and non-ASCII words, under the 4 MiB body limit. */
function longText(bytes: number): string {
  const words = ['Once', 'upon', 'a', 'time,', 'Lily', 'saw', 'the', 'big', 'café', 'naïve', '日本', '🙂'];
  const parts: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const word = i % 17 === 0 ? String(i) : words[(i * 7) % words.length]!;
    parts.push(word);
    size += Buffer.byteLength(word) + 1;
  }
  return parts.join(' ');
}

/**
 * POSTs `body` to `url + path` and returns the response, its body read whole, and the longest
 * stretch of main-thread work meanwhile (ms of CPU) while `/health` is asked again and again.
 * Client and server share this event loop: the request is serialized before measuring starts,
 * and the response is parsed after.
 */
async function measured(url: string, path: string, body: unknown) {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const work = longestWork();
  let done = false;
  const probe = (async () => {
    while (!done) {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const headers = { 'content-type': 'application/json' };
  const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: bytes });
  const received = await response.arrayBuffer();
  done = true;
  await probe;
  const longestWorkMs = work.stop();
  const text = new TextDecoder().decode(received);
  return { response, body: text, longestWorkMs };
}

describe('multi-megabyte prompts', () => {
  let server: TestServer;
  const text = longText(3.8e6);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  test('/tokenize returns every token of a 3.8 MB text and the event loop never stalls', async () => {
    const run = await measured(server.url, '/tokenize', { model: MODEL, prompt: text });
    expect(run.response.status).toBe(200);
    expect(run.response.headers.get('content-type')).toMatch(/^application\/json/);
    // Byte for byte the JSON a short response gets (compared as one string: jest's deep equality
    // on millions of ids would take seconds).
    const tokens = server.engine.tokenizer.encode(text);
    const max_model_len = server.engine.maxModelLen;
    const expected = JSON.stringify({ count: tokens.length, max_model_len, tokens, token_strs: null });
    expect(tokens.length).toBeGreaterThan(2_000_000);
    expect(run.body.length).toBe(expected.length);
    expect(run.body === expected).toBe(true);
    expect(run.longestWorkMs).toBeLessThan(MAX_STALL_MS);
  });

  test('a long /tokenize response with token_strs is the JSON a short one would be', async () => {
    const medium = longText(200_000);
    const res = await postJson(`${server.url}/tokenize`, { prompt: medium, return_token_strs: true });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { count: number; tokens: number[]; token_strs: string[] };
    const expected = server.engine.tokenizer.encode(medium);
    expect(body.count).toBeGreaterThan(65_536);
    expect(body.tokens).toEqual(expected);
    expect(body.token_strs).toHaveLength(expected.length);
    // A short prefix's tokens, but for the last, cut word, are the first of the long text's.
    const prefix = { prompt: medium.slice(0, 60), return_token_strs: true };
    const short = (await (await postJson(`${server.url}/tokenize`, prefix)).json()) as {
      token_strs: string[];
    };
    const same = short.token_strs.length - 1;
    expect(body.token_strs.slice(0, same)).toEqual(short.token_strs.slice(0, same));
  });

  test.each([
    ['/v1/completions', (text: string) => ({ model: MODEL, prompt: text, max_tokens: 4 })],
    ['/v1/completions, a list of prompts', (text: string) => ({ prompt: ['Lily', text], max_tokens: 4 })],
    [
      '/v1/chat/completions',
      (text: string) => ({ messages: [{ role: 'user', content: text }], max_tokens: 4 }),
    ],
  ])(
    '%s refuses a 3.8 MB prompt with a 400 naming the context length, without stalling',
    async (path, body) => {
      const run = await measured(server.url, path.split(',')[0]!, body(text));
      expect(run.response.status).toBe(400);
      const { error } = JSON.parse(run.body) as { error: { message: string; param: string } };
      expect(error.param).toBe('input_tokens');
      expect(error.message).toContain(`maximum context length is ${server.engine.maxModelLen} tokens`);
      expect(error.message).toContain(`more than ${server.engine.maxModelLen} input tokens`);
      expect(run.longestWorkMs).toBeLessThan(MAX_STALL_MS);
      expect(server.engine.core.scheduler.numWaiting).toBe(0);
    },
  );

  test('a prompt that fits is still served', async () => {
    const res = await postJson(`${server.url}/v1/completions`, { prompt: text.slice(0, 300), max_tokens: 2 });
    expect(res.status).toBe(200);
  });
});
