/**
 * vLLM's periodic stats line and preemption warning, from a real engine with
 * a KV pool small enough to preempt: lines while busy, one after, none idle;
 * `logStats: false` keeps the preemption warning only.
 */
import { expect, test } from '@jest/globals';
import { pino } from 'pino';
import { MODEL, postJson, startTestServer, waitFor } from './fixtures.js';

const STATS_LINE =
  /^Engine 000: Avg prompt throughput: \d+\.\d tokens\/s, Avg generation throughput: \d+\.\d tokens\/s, Running: \d+ reqs, Waiting: \d+ reqs, GPU KV cache usage: \d+\.\d%, Prefix cache hit rate: \d+\.\d%$/;
const PROMPTS = [
  'Once upon a time',
  'Once upon a time, there was a little girl',
  'Lily wanted',
  'The dog ran to the park and saw a big red ball. He wanted',
  'Tom and Sue',
  'The sun was',
];
const INTERVAL_MS = 100;

interface LogLine {
  readonly level: number;
  readonly msg: string;
}

/** Serves with a tiny KV pool, runs the prompts at once, and returns what was logged until well after idle. */
async function runLogged(logStats: boolean): Promise<{ lines: LogLine[]; idleLines: LogLine[] }> {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const server = await startTestServer(
    { logger, logStats, statsLogIntervalMs: INTERVAL_MS, logRequests: false },
    { kvCache: { numBlocks: 12 }, maxModelLen: 192, enablePrefixCaching: false },
  );
  try {
    const bodies = PROMPTS.map((prompt) => ({ model: MODEL, prompt, max_tokens: 40, ignore_eos: true }));
    const results = await Promise.all(bodies.map((b) => postJson(`${server.url}/v1/completions`, b)));
    expect(results.map((r) => r.status)).toEqual(PROMPTS.map(() => 200));
    await waitFor(() => !server.engine.core.busy);
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
    const seen = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
    return { lines: lines.slice(0, seen), idleLines: lines.slice(seen) };
  } finally {
    await server.close();
  }
}

test('a stats line in vLLM’s format while busy and once after; one warning per interval with preemptions', async () => {
  const { lines, idleLines } = await runLogged(true);
  const stats = lines.filter((l) => l.msg.startsWith('Engine 000:'));
  expect(stats.length).toBeGreaterThan(0);
  for (const line of stats) expect([line.level, line.msg]).toEqual([30, expect.stringMatching(STATS_LINE)]);
  expect(stats.some((l) => !/Avg generation throughput: 0\.0 /.test(l.msg))).toBe(true);
  expect(stats.some((l) => !/Avg prompt throughput: 0\.0 /.test(l.msg))).toBe(true);
  expect(stats.at(-1)!.msg).toMatch(/Running: 0 reqs, Waiting: 0 reqs, GPU KV cache usage: 0\.0%/);
  const warnings = lines.filter((l) => l.level === 40 && /preemption/.test(l.msg));
  expect(warnings.length).toBeGreaterThan(0);
  expect(warnings.at(-1)!.msg).toMatch(/not enough KV cache space.*total_num_cumulative_preemption=\d+$/);
  expect(idleLines).toEqual([]);
});

test('logStats false: no stats line, the preemption warning still', async () => {
  const { lines } = await runLogged(false);
  expect(lines.filter((l) => l.msg.startsWith('Engine 000:'))).toEqual([]);
  expect(lines.some((l) => l.level === 40 && /preemption/.test(l.msg))).toBe(true);
});
