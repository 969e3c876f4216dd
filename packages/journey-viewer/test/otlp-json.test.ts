/**
 * The OTLP-JSON reader on a real export: the real engine behind the real
 * server, `@x/tracing` and the viewer's recorder subscribed side by side,
 * the spans serialized by OpenTelemetry's own JSON serializer (what the
 * OTLP/HTTP JSON exporter sends). The journeys read back from the file must
 * be the ones the recorder kept live. Then the edge cases of the format.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as tracing from '@x/tracing';
import { layoutJourney } from '../src/shared/journey-layout.js';
import type { Journey, JourneyEvent } from '../src/shared/journey-types.js';
import { ATTR, EVENT_NAME, REQUEST_SNAPSHOT_EVENT, SPAN_NAME } from '../src/shared/otlp-names.js';
import { OtlpParseError, parseOtlpJson, type ParsedTrace } from '../src/shared/otlp-json.js';
import { startTracedServer, MODEL, type TracedServer } from './support/traced-server.js';
import { runWorkload, type WorkloadResult } from './support/workload.js';

const OUTPUT = new URL('../test-output/', import.meta.url);

let server: TracedServer;
let workload: WorkloadResult;
let live: readonly Journey[];
let parsed: ParsedTrace;

beforeAll(async () => {
  server = await startTracedServer();
  workload = await runWorkload(server.url, MODEL);
  await server.engine.core.idle();
  live = server.viewer.snapshot().journeys;
  const [fixture] = server.otlpJson();
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(new URL('trace.otlp.json', OUTPUT), fixture!);
  parsed = parseOtlpJson(fixture!);
});
afterAll(() => server.close());

/**
 * What must match between the live journey and the one read from the file:
 * each choice's core events in order (two choices' events at the same
 * instant may interleave either way).
 */
const coreView = (events: readonly JourneyEvent[]) => {
  const core = events.filter((e) => e.layer === 'core');
  const choices = [...new Set(core.map((e) => e.choice ?? -1))].sort((a, b) => a - b);
  return choices.map((choice) =>
    core
      .filter((e) => (e.choice ?? -1) === choice)
      .map(({ type, progress, kind, status }) => ({ type, progress, kind, status })),
  );
};
const apiTypes = (events: readonly JourneyEvent[]) =>
  events.filter((e) => e.layer === 'api').map((e) => e.type);

describe('a real export read back', () => {
  test('holds every request the server saw, with its events and progress', () => {
    expect(parsed.journeys.map((j) => j.id).sort()).toEqual(live.map((j) => j.id).sort());
    for (const journey of live) {
      const read = parsed.journeys.find((j) => j.id === journey.id)!;
      expect(coreView(read.events)).toEqual(coreView(journey.events));
      expect(apiTypes(read.events)).toEqual(apiTypes(journey.events));
      expect(read.info).toEqual(journey.info);
      const [a, b] = [layoutJourney(read, 0), layoutJourney(journey, 0)];
      expect([a.status, a.lanes, a.outputTokens, a.preemptions]).toEqual([
        b.status,
        b.lanes,
        b.outputTokens,
        b.preemptions,
      ]);
    }
  });

  test('the workload shows on it: completions, n = 2, an abandoned stream, a rejection, preemption, chunks', () => {
    const byId = new Map(parsed.journeys.map((j) => [j.id, j]));
    for (const id of workload.completed) expect(layoutJourney(byId.get(id)!, 0).status).toBe('length');
    expect(layoutJourney(byId.get(workload.abandoned)!, 0)).toMatchObject({ status: 'aborted', done: true });
    const chat = parsed.journeys.find((j) => j.info.n === 2)!;
    expect(layoutJourney(chat, 0).lanes).toBe(2);
    const rejected = parsed.journeys.filter((j) => j.events.every((e) => e.layer === 'api'));
    expect(rejected.map((j) => j.events.map((e) => e.type))).toEqual([['ARRIVED', 'ABORTED']]);
    const all = parsed.journeys.flatMap((j) => j.events);
    expect(all.some((e) => e.type === 'PREEMPTED')).toBe(true);
    expect(all.some((e) => e.type === 'PREFILL_CHUNK')).toBe(true);
  });

  test('holds every step', () => {
    const steps = server.viewer.snapshot().steps;
    expect(parsed.steps.map((s) => s.step)).toEqual(steps.map((s) => s.step));
    const round = (s: (typeof steps)[number]) => ({
      ...s,
      startMs: Math.round(s.startMs),
      durationMs: Math.round(s.durationMs * 1000),
    });
    expect(parsed.steps.map(round)).toEqual(steps.map(round));
    expect(parsed.spanCount).toBeGreaterThan(live.length);
  });

  test('reads the same from JSON lines (one export request per line, as the Collector writes)', () => {
    const lines = server.otlpJson(7).join('\n');
    const again = parseOtlpJson(lines);
    expect(again.journeys).toEqual(parsed.journeys);
    expect(again.steps).toEqual(parsed.steps);
  });
});

describe('the format', () => {
  test('uses the names @x/tracing emits', () => {
    expect(SPAN_NAME).toEqual(tracing.SPAN);
    for (const [type, name] of Object.entries(EVENT_NAME)) {
      expect([...Object.values(tracing.API_EVENT), ...Object.values(tracing.JOURNEY_EVENT)]).toContain(name);
      expect(name.endsWith(type) || type === 'HANDOFF' || type === 'FIRST_RESPONSE').toBe(true);
    }
    expect(REQUEST_SNAPSHOT_EVENT).toBe(tracing.STEP_EVENT.REQUEST_SNAPSHOT);
    const known = new Set([
      ...Object.values(tracing.GEN_AI),
      ...Object.values(tracing.API_ATTR),
      ...Object.values(tracing.JOURNEY_ATTR),
      ...Object.values(tracing.STEP_ATTR),
    ]);
    for (const name of Object.values(ATTR)) expect(known).toContain(name);
  });

  test('integers as strings (proto3 JSON), unknown spans and missing fields are fine', () => {
    const doc = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { name: 'GET /health', traceId: 't', spanId: 'x' },
                {
                  name: 'llm_step',
                  traceId: 't',
                  spanId: 's',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000002000000',
                  attributes: [
                    { key: 'scheduler_step', value: { intValue: '5' } },
                    { key: 'kv_usage', value: { doubleValue: 0.5 } },
                    { key: 'prefill_tokens', value: { intValue: '64' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const trace = parseOtlpJson(JSON.stringify(doc));
    expect(trace.journeys).toEqual([]);
    expect(trace.spanCount).toBe(2);
    expect(trace.steps).toEqual([
      expect.objectContaining({
        step: 5,
        startMs: 1_700_000_000_000,
        durationMs: 2,
        kvUsage: 0.5,
        prefillTokens: 64,
        batchSize: 0,
      }),
    ]);
  });

  test.each([
    ['not JSON at all', 'hello\nworld', /not JSON \(line 1/],
    ['JSON without resourceSpans', '{"resourceMetrics": []}', /no "resourceSpans"/],
    ['an empty file', '', /no "resourceSpans"/],
  ])('%s is an OtlpParseError', (_, text, message) => {
    expect(() => parseOtlpJson(text)).toThrow(OtlpParseError);
    expect(() => parseOtlpJson(text)).toThrow(message);
  });
});
