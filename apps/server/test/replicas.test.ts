/**
 * Scale-out on loopback: two `x-serve` replicas (separate processes of the built CLI) trace to one
 * OTLP/HTTP receiver, as pods do to one collector. Every trace must be whole (one `llm_request`
 * root, its `llm_core` child, their events, no orphan span) and name the replica that served it
 * (`service.instance.id`), each replica's `/metrics` must count only its own requests, and SIGTERM
 * must flush the spans and exit 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { API_EVENT, GEN_AI, JOURNEY_EVENT, SPAN } from '@x/tracing';
import { startReceiver, type Receiver, type WireSpan, type WireValue } from '@x/tracing/testing';
import OpenAI from 'openai';
import { serverEnv, spawnServer, type ServerProcess } from './support/spawn-server.js';

const SERVICE = 'x-serve-replicas';
const MODEL = 'tiny-random-llama';

/** What a client saw of one request. */
interface Served {
  readonly replica: string;
  readonly id: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const cache = mkdtempSync(join(tmpdir(), 'x-serve-replicas-'));
let receiver: Receiver;
const replicas = new Map<string, ServerProcess>();

beforeAll(async () => {
  receiver = await startReceiver('ok');
  const flags = ['--host', '127.0.0.1', '--port', '0', '--kv-cache-memory', '8MiB'];
  const tracing = ['--enable-journey-tracing', '--otlp-traces-endpoint', receiver.url];
  // Replica a is named as a pod is (OTEL_RESOURCE_ATTRIBUTES); b keeps the default, a random UUID,
  // and names its service in the attributes instead of OTEL_SERVICE_NAME.
  const env = {
    a: serverEnv(cache, {
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=replica-a,k8s.pod.name=replica-a',
    }),
    b: serverEnv(cache, { OTEL_RESOURCE_ATTRIBUTES: `service.name=${SERVICE}` }),
  };
  // Both start at once on an empty cache: each writes the default model aside and renames it.
  const started = await Promise.all(
    Object.entries(env).map(
      async ([name, e]) => [name, await spawnServer([...flags, ...tracing], e)] as const,
    ),
  );
  for (const [name, server] of started) replicas.set(name, server);
});

afterAll(async () => {
  for (const server of replicas.values()) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  await receiver?.close();
  rmSync(cache, { recursive: true, force: true });
});

/** The id and usage of a response, or of a stream's last chunk (`include_usage` puts the usage there). */
type Reply = { id: string; usage?: { prompt_tokens: number; completion_tokens: number } | null };

async function lastChunk<T>(stream: AsyncIterable<T>): Promise<T> {
  let last: T | undefined;
  for await (const chunk of stream) last = chunk;
  return last!;
}

/** A few requests of each kind, streaming and not, through the official client. */
async function sendRequests(replica: string, url: string): Promise<Served[]> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const stream = { stream: true, stream_options: { include_usage: true } } as const;
  const messages = [{ role: 'user' as const, content: `Hello from a client of ${replica}` }];
  const replies: Promise<Reply>[] = [
    client.chat.completions.create({ model: MODEL, messages, max_tokens: 6 }),
    client.chat.completions.create({ model: MODEL, messages, max_tokens: 6, ...stream }).then(lastChunk),
    client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 4 }),
    client.completions
      .create({ model: MODEL, prompt: 'The replica said', max_tokens: 5, ...stream })
      .then(lastChunk),
    client.chat.completions.create({ model: MODEL, messages, max_tokens: 3, ...stream }).then(lastChunk),
  ];
  return (await Promise.all(replies)).map(({ id, usage }) => ({
    replica,
    id,
    promptTokens: usage!.prompt_tokens,
    completionTokens: usage!.completion_tokens,
  }));
}

/** The sum of a counter over its label sets, from Prometheus text. */
function counter(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const text = (value: WireValue | undefined) =>
  value !== undefined && 'string' in value ? value.string : undefined;
const sum = (xs: readonly Served[], key: 'promptTokens' | 'completionTokens') =>
  xs.reduce((s, x) => s + x[key], 0);

test('two replicas: whole traces attributed to the replica that served them, per-replica metrics, flush on SIGTERM', async () => {
  const served = (
    await Promise.all([...replicas].map(([name, server]) => sendRequests(name, server.url)))
  ).flat();

  // Each replica's /metrics counts what it served, and nothing of the other's.
  for (const [name, server] of replicas) {
    const mine = served.filter((s) => s.replica === name);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(counter(metrics, 'vllm:request_success_total')).toBe(mine.length);
    expect(counter(metrics, 'vllm:prompt_tokens_total')).toBe(sum(mine, 'promptTokens'));
    expect(counter(metrics, 'vllm:generation_tokens_total')).toBe(sum(mine, 'completionTokens'));
  }

  // SIGTERM drains and flushes; then the receiver holds everything either replica traced.
  for (const server of replicas.values()) server.child.kill('SIGTERM');
  for (const [name, server] of replicas) {
    expect({ name, code: await server.exited }).toEqual({ name, code: 0 });
  }
  const traces = new Map<string, WireSpan[]>();
  for (const span of receiver.spans()) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);

  const replicaOf = new Map(served.map((s) => [s.id, s.replica]));
  const instanceOf = new Map<string, string>();
  const traced: string[] = [];
  for (const spans of traces.values()) {
    // Whole: one root, the request span; every other span's parent is in the trace.
    const roots = spans.filter((s) => s.parentSpanId === '');
    expect(roots.map((s) => s.name)).toEqual([SPAN.request]);
    const root = roots[0]!;
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId))).toEqual([]);
    const cores = spans.filter((s) => s.name === SPAN.core);
    expect(cores.map((s) => s.parentSpanId)).toEqual([root.spanId]);
    expect(spans).toHaveLength(2);
    expect(root.events.map((e) => e.name)).toEqual([
      API_EVENT.ARRIVED,
      API_EVENT.HANDOFF,
      API_EVENT.FIRST_RESPONSE,
      API_EVENT.DEPARTED,
    ]);
    const journey = cores[0]!.events.map((e) => e.name);
    expect(journey[0]).toBe(JOURNEY_EVENT.QUEUED);
    expect(journey.at(-1)).toBe(JOURNEY_EVENT.FINISHED);
    expect(journey).toEqual(expect.arrayContaining([JOURNEY_EVENT.SCHEDULED, JOURNEY_EVENT.FIRST_TOKEN]));

    // Attributable: one resource for the whole trace, that of the replica the client sent it to.
    const instances = new Set(spans.map((s) => text(s.resource['service.instance.id'])));
    expect(instances.size).toBe(1);
    expect(spans.every((s) => s.serviceName === SERVICE && text(s.resource['host.name']))).toBe(true);
    const id = text(root.attributes[GEN_AI.responseId])!;
    const replica = replicaOf.get(id);
    expect({ id, replica }).toEqual({ id, replica: expect.any(String) });
    const instance = [...instances][0]!;
    expect(instanceOf.get(replica!) ?? instance).toBe(instance);
    instanceOf.set(replica!, instance);
    traced.push(id);
  }

  // Every request has exactly one trace, and the replicas' ids are theirs and distinct.
  expect(traced.sort()).toEqual(served.map((s) => s.id).sort());
  expect(instanceOf.get('a')).toBe('replica-a');
  expect(instanceOf.get('b')).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});
