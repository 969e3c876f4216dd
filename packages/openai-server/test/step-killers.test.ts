/**
 * Requests that once failed the whole engine step, and with it every other
 * stream (a top_k past an i32, a repetition penalty beyond f32…), sent again
 * and again while normal requests stream: each gets a 400 naming its field,
 * or runs, and every normal request completes with its solo output.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { MODEL, postJson, startTestServer, streamedCompletion, type TestServer } from './fixtures.js';

/** Extra fields, and the `param` of the 400 they get (null: the request runs). */
const ATTACKS: [Record<string, unknown>, string | null][] = [
  [{ top_k: 2147483648 }, 'top_k'],
  [{ top_k: 2 ** 53 - 1 }, 'top_k'],
  [{ seed: 2 ** 53 }, 'seed'],
  [{ repetition_penalty: 1e300 }, 'repetition_penalty'],
  [{ repetition_penalty: 1e-300 }, 'repetition_penalty'],
  [{ min_tokens: 1e12, max_tokens: null }, 'min_tokens'],
  [{ stop_token_ids: [99999] }, 'stop_token_ids[0]'],
  [{ logit_bias: { 99999: 1 } }, 'logit_bias'],
  // At the limits: these run.
  [{ top_k: 2147483647 }, null],
  [{ seed: 2 ** 53 - 1, n: 3 }, null],
  [{ repetition_penalty: 1e6, presence_penalty: 2, logprobs: 20 }, null],
];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const completions = () => `${server.url}/v1/completions`;
const normal = (i: number) => ({
  model: MODEL,
  prompt: ['Once upon a time', 'Lily wanted', 'The dog', 'Tom and Sue'][i % 4],
  temperature: 0,
  max_tokens: 48,
  ignore_eos: true,
});

interface Reply {
  error?: { param: string | null };
  choices?: { finish_reason: string }[];
}

test('former step killers get a 400 naming the field, or run, while every normal stream completes', async () => {
  const solo: string[] = [];
  for (let i = 0; i < 4; i++) {
    const reply = (await (await postJson(completions(), normal(i))).json()) as {
      choices: { text: string }[];
    };
    solo.push(reply.choices[0]!.text);
  }
  let streaming = true;
  const normals = Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const res = await postJson(completions(), { ...normal(i), stream: true });
      expect(res.status).toBe(200);
      return (await streamedCompletion(res)).text[0];
    }),
  ).finally(() => (streaming = false));
  let rounds = 0;
  while (streaming) {
    rounds++;
    await Promise.all(
      ATTACKS.map(async ([extra, param]) => {
        const res = await postJson(completions(), { ...normal(0), max_tokens: 4, ...extra });
        const reply = (await res.json()) as Reply;
        expect({ extra, status: res.status, param: reply.error?.param }).toEqual({
          extra,
          status: param === null ? 200 : 400,
          param: param ?? undefined,
        });
        for (const choice of reply.choices ?? []) expect(choice.finish_reason).not.toBe('error');
      }),
    );
  }
  expect(rounds).toBeGreaterThan(1);
  expect(await normals).toEqual(Array.from({ length: 8 }, (_, i) => solo[i % 4]));
  expect(server.engine.core.scheduler.kvCacheUsage().blocksUsed).toBe(0);
});
