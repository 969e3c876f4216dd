/** `/metrics`: valid Prometheus text with vLLM's names, types and labels, moving as requests complete. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createApp } from '../src/index.js';
import { MODEL, postJson, sseEvents, startTestServer, waitFor, type TestServer } from './fixtures.js';
import { parsePrometheus, sampleValue } from './prometheus-text.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const scrape = async () => {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
};

const EXPECTED: Record<string, string> = {
  'vllm:num_requests_running': 'gauge',
  'vllm:num_requests_waiting': 'gauge',
  'vllm:kv_cache_usage_perc': 'gauge',
  'vllm:prefix_cache_queries_total': 'counter',
  'vllm:prefix_cache_hits_total': 'counter',
  'vllm:num_preemptions_total': 'counter',
  'vllm:prompt_tokens_total': 'counter',
  'vllm:generation_tokens_total': 'counter',
  'vllm:request_success_total': 'counter',
  'vllm:request_prompt_tokens': 'histogram',
  'vllm:request_generation_tokens': 'histogram',
  'vllm:request_params_max_tokens': 'histogram',
  'vllm:request_params_n': 'histogram',
  'vllm:request_max_num_generation_tokens': 'histogram',
  'vllm:iteration_tokens_total': 'histogram',
  'vllm:time_to_first_token_seconds': 'histogram',
  'vllm:inter_token_latency_seconds': 'histogram',
  'vllm:request_time_per_output_token_seconds': 'histogram',
  'vllm:e2e_request_latency_seconds': 'histogram',
  'vllm:request_queue_time_seconds': 'histogram',
  'vllm:request_inference_time_seconds': 'histogram',
  'vllm:request_prefill_time_seconds': 'histogram',
  'vllm:request_decode_time_seconds': 'histogram',
  'vllm:cache_config_info': 'gauge',
};

test("vLLM's metric names and types, every vllm:* sample labelled with the model", async () => {
  const families = await scrape();
  for (const [name, type] of Object.entries(EXPECTED))
    expect([name, families.get(name)?.type]).toEqual([name, type]);
  for (const [name, family] of families) {
    if (!name.startsWith('vllm:')) continue;
    for (const s of family.samples) expect(s.labels).toMatchObject({ model_name: MODEL, engine: '0' });
  }
  const ttft = families
    .get('vllm:time_to_first_token_seconds')!
    .samples.filter((s) => s.name.endsWith('_bucket'));
  expect(ttft.map((s) => s.labels.le).slice(0, 3)).toEqual(['0.001', '0.005', '0.01']);
  const { config } = server.engine.core.scheduler;
  expect(families.get('vllm:cache_config_info')!.samples).toEqual([
    {
      name: 'vllm:cache_config_info',
      labels: {
        model_name: MODEL,
        engine: '0',
        block_size: String(config.blockSize),
        cache_dtype: 'float32',
        enable_prefix_caching: config.enablePrefixCaching ? 'True' : 'False',
        num_gpu_blocks: String(config.numBlocks),
      },
      value: 1,
    },
  ]);
});

test('counters and histograms move as requests complete', async () => {
  const before = await scrape();
  const get = (f: typeof before, name: string, labels: Record<string, string> = {}) =>
    sampleValue(f, name, labels) ?? 0;
  const body = { model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 12, ignore_eos: true };
  expect((await postJson(`${server.url}/v1/completions`, body)).status).toBe(200);
  const twoChoices = await postJson(`${server.url}/v1/completions`, { ...body, n: 2, stop: ['girl'] });
  expect(twoChoices.status).toBe(200);
  const { usage } = (await twoChoices.json()) as { usage: { completion_tokens: number } };
  const after = await scrape();
  const delta = (name: string, labels: Record<string, string> = {}) =>
    get(after, name, labels) - get(before, name, labels);
  expect(delta('vllm:request_success_total', { finished_reason: 'length' })).toBe(1);
  expect(delta('vllm:request_success_total', { finished_reason: 'stop' })).toBe(2);
  expect(delta('vllm:prompt_tokens_total')).toBe(15);
  expect(delta('vllm:generation_tokens_total')).toBeGreaterThanOrEqual(12 + 2 * 6);
  expect(delta('vllm:e2e_request_latency_seconds_count')).toBe(3);
  expect(delta('vllm:time_to_first_token_seconds_count')).toBe(3);
  expect(delta('vllm:request_params_n_count')).toBe(2);
  expect(delta('vllm:request_params_n_sum')).toBe(3);
  // Greedy, so both choices are alike: the longest is half the usage.
  expect(delta('vllm:request_max_num_generation_tokens_count')).toBe(2);
  expect(delta('vllm:request_max_num_generation_tokens_sum')).toBe(12 + usage.completion_tokens / 2);
  expect(delta('vllm:iteration_tokens_total_count')).toBeGreaterThan(0);
  expect(delta('vllm:inter_token_latency_seconds_count')).toBeGreaterThan(0);
  expect(delta('vllm:prefix_cache_queries_total')).toBeGreaterThan(0);
  expect(get(after, 'vllm:num_requests_running')).toBe(0);
  expect(get(after, 'vllm:kv_cache_usage_perc')).toBe(0);
});

test('gauges are read at scrape time', async () => {
  const controller = new AbortController();
  const res = await postJson(
    `${server.url}/v1/completions`,
    { model: MODEL, prompt: 'The dog', max_tokens: 400, ignore_eos: true, stream: true },
    { signal: controller.signal },
  );
  const events = sseEvents(res);
  await events.next();
  const during = await scrape();
  expect(sampleValue(during, 'vllm:num_requests_running')).toBe(1);
  expect(sampleValue(during, 'vllm:kv_cache_usage_perc')).toBeGreaterThan(0);
  controller.abort();
  await events.return(undefined).catch(() => {});
  await waitFor(() => !server.engine.core.busy);
  const after = await scrape();
  expect(sampleValue(after, 'vllm:num_requests_running')).toBe(0);
  expect(
    sampleValue(after, 'vllm:request_success_total', { finished_reason: 'abort' }),
  ).toBeGreaterThanOrEqual(1);
});

test("process metrics and the HTTP metrics of vLLM's instrumentator, by route pattern and status class", async () => {
  const before = await scrape();
  const count = (f: typeof before, labels: Record<string, string>) =>
    sampleValue(f, 'http_requests_total', labels) ?? 0;
  const body = { model: MODEL, prompt: 'Hello', max_tokens: 3, stream: true };
  const stream = await postJson(`${server.url}/v1/completions`, body);
  await stream.text();
  expect((await postJson(`${server.url}/v1/completions`, { ...body, max_tokens: -1 })).status).toBe(400);
  expect((await fetch(`${server.url}/no/such/path/123`)).status).toBe(404);
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const after = await scrape();
  expect(after.get('process_cpu_seconds_total')?.type).toBe('counter');
  expect(after.get('process_resident_memory_bytes')?.type).toBe('gauge');
  expect(after.get('http_request_duration_seconds')?.type).toBe('histogram');
  expect(after.get('http_request_duration_highr_seconds')?.type).toBe('histogram');
  expect(after.get('http_request_size_bytes')?.type).toBe('summary');
  expect(after.get('http_response_size_bytes')?.type).toBe('summary');
  const delta = (labels: Record<string, string>) => count(after, labels) - count(before, labels);
  const completions = { handler: '/v1/completions', method: 'POST' };
  expect(delta({ ...completions, status: '2xx' })).toBe(1);
  expect(delta({ ...completions, status: '4xx' })).toBe(1);
  expect(delta({ handler: 'none', method: 'GET', status: '4xx' })).toBe(1);
  const handlers = after.get('http_requests_total')!.samples.map((s) => s.labels.handler);
  expect(handlers).not.toContain('/health');
  expect(handlers).not.toContain('/metrics');
  expect(handlers.some((h) => h!.startsWith('/no/'))).toBe(false);
  const durations = (f: typeof before) =>
    sampleValue(f, 'http_request_duration_seconds_count', completions) ?? 0;
  expect(durations(after) - durations(before)).toBe(2);
});

test('two apps in one process keep separate registries', async () => {
  const other = createApp({ engine: server.engine, servedModelName: 'second' });
  try {
    const text = await (await other.fetch(new Request('http://x/metrics'))).text();
    const families = parsePrometheus(text);
    expect(families.get('vllm:num_requests_running')!.samples[0]!.labels.model_name).toBe('second');
    expect(families.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect((await scrape()).get('vllm:num_requests_running')!.samples[0]!.labels.model_name).toBe(MODEL);
  } finally {
    other.close();
  }
});
