/**
 * Reads a saved OTLP-JSON trace export (what the OTLP/HTTP JSON exporter
 * sends, or the Collector's file exporter writes: one export request per
 * line) and rebuilds the journeys and step summaries `@x/tracing`'s spans
 * describe, so the page can draw a trace offline the way it draws the live
 * feed. Spans other than `llm_request`, `llm_core` and `llm_step` are ignored.
 * @module
 */
import type {
  FinishStatus,
  Journey,
  JourneyEvent,
  JourneyEventType,
  JourneyRequestInfo,
  StepSummary,
} from './journey-types.js';
import { attributesOf, nanosToMs, otlpSpans, type Attributes, type OtlpSpan } from './otlp-format.js';
import { ATTR, EVENT_NAME, SPAN_NAME } from './otlp-names.js';
import { addPrefillEvents, progressOf, type CoreRequest } from './rich-steps.js';

/** What a trace file held. */
export interface ParsedTrace {
  /** Oldest first. */
  readonly journeys: Journey[];
  /** By step number. */
  readonly steps: StepSummary[];
  /** Spans in the file, ours or not. */
  readonly spanCount: number;
}

/** A journey being put together from its spans. */
interface Draft {
  id: string;
  startMs: number;
  info: JourneyRequestInfo;
  api: JourneyEvent[];
  core: JourneyEvent[];
}

const API_EVENTS = new Map<string, JourneyEventType>([
  [EVENT_NAME.ARRIVED, 'ARRIVED'],
  [EVENT_NAME.HANDOFF, 'HANDOFF'],
  [EVENT_NAME.FIRST_RESPONSE, 'FIRST_RESPONSE'],
  [EVENT_NAME.DEPARTED, 'DEPARTED'],
  [EVENT_NAME.ABORTED, 'ABORTED'],
]);

const CORE_EVENTS = new Map<string, JourneyEventType>([
  [EVENT_NAME.QUEUED, 'QUEUED'],
  [EVENT_NAME.SCHEDULED, 'SCHEDULED'],
  [EVENT_NAME.FIRST_TOKEN, 'FIRST_TOKEN'],
  [EVENT_NAME.PREEMPTED, 'PREEMPTED'],
  [EVENT_NAME.FINISHED, 'FINISHED'],
]);

const FINISH_STATUSES = new Set<FinishStatus>(['stopped', 'length', 'aborted', 'ignored', 'error']);

export { OtlpParseError } from './otlp-format.js';

/** Parses the text of an OTLP-JSON file; throws {@link OtlpParseError} when it is not one. */
export function parseOtlpJson(text: string): ParsedTrace {
  const spans = otlpSpans(text);
  const drafts = new Map<string, Draft>(); // by trace/span id of the llm_request span, or of a lone llm_core
  const cores: { span: OtlpSpan; attrs: Attributes }[] = [];
  const stepSpans: OtlpSpan[] = [];
  for (const span of spans) {
    if (span.name === SPAN_NAME.request) drafts.set(spanKey(span), requestDraft(span));
    else if (span.name === SPAN_NAME.core) cores.push({ span, attrs: attributesOf(span.attributes) });
    else if (span.name === SPAN_NAME.step) stepSpans.push(span);
  }
  const byCoreId = new Map<string, CoreRequest>();
  for (const { span, attrs } of cores) {
    const coreId = String(attrs[ATTR.requestId] ?? span.spanId ?? '');
    const parent = drafts.get(`${span.traceId}/${span.parentSpanId}`);
    const draft = parent ?? newDraft(coreId, nanosToMs(span.startTimeUnixNano), {});
    if (parent === undefined) drafts.set(spanKey(span), draft);
    const choice = parent !== undefined && coreId !== parent.id ? choiceOf(coreId, parent.id) : undefined;
    byCoreId.set(coreId, { events: draft.core, choice });
    for (const event of span.events ?? []) {
      const type = CORE_EVENTS.get(event.name ?? '');
      if (type !== undefined)
        draft.core.push(coreEvent(type, event.timeUnixNano, attributesOf(event.attributes), choice));
    }
  }
  const steps = stepSpans.map(stepSummary).sort((a, b) => a.step - b.step);
  addPrefillEvents(stepSpans, byCoreId);
  const journeys = [...drafts.values()].map(finish).sort((a, b) => a.startMs - b.startMs);
  return { journeys, steps, spanCount: spans.length };
}

function requestDraft(span: OtlpSpan): Draft {
  const attrs = attributesOf(span.attributes);
  const info: JourneyRequestInfo = {
    ...optional('endpoint', attrs[ATTR.endpoint], String),
    ...optional('model', attrs[ATTR.model], String),
    ...optional('promptTokens', attrs[ATTR.inputTokens], Number),
    ...optional('maxTokens', attrs[ATTR.maxTokens], Number),
    ...optional('stream', attrs[ATTR.stream], Boolean),
    ...optional('n', attrs[ATTR.choiceCount], Number),
  };
  const draft = newDraft(
    String(attrs[ATTR.requestId] ?? span.spanId ?? ''),
    nanosToMs(span.startTimeUnixNano),
    info,
  );
  for (const event of span.events ?? []) {
    const type = API_EVENTS.get(event.name ?? '');
    if (type === undefined) continue;
    const eventAttrs = attributesOf(event.attributes);
    const reason = eventAttrs[ATTR.abortReason];
    const httpStatus = eventAttrs[ATTR.httpStatus];
    draft.api.push({
      type,
      layer: 'api',
      timeMs: nanosToMs(event.timeUnixNano),
      ...(reason !== undefined && { reason: String(reason) }),
      ...(httpStatus !== undefined && { httpStatus: Number(httpStatus) }),
    });
  }
  return draft;
}

function newDraft(id: string, startMs: number, info: JourneyRequestInfo): Draft {
  return { id, startMs, info, api: [], core: [] };
}

function coreEvent(
  type: JourneyEventType,
  timeUnixNano: string | number | undefined,
  attrs: Attributes,
  choice: number | undefined,
): JourneyEvent {
  const kind = attrs[ATTR.scheduleKind];
  const status = attrs[ATTR.finishStatus];
  const reason = attrs[ATTR.finishReason];
  return {
    type,
    layer: 'core',
    timeMs: attrs[ATTR.epochMs] !== undefined ? Number(attrs[ATTR.epochMs]) : nanosToMs(timeUnixNano),
    ...(choice !== undefined && { choice }),
    progress: progressOf(attrs),
    ...(kind === 'FIRST' || kind === 'RESUME' ? { kind } : {}),
    ...(FINISH_STATUSES.has(status as FinishStatus) && { status: status as FinishStatus }),
    ...(reason !== undefined && { reason: String(reason) }),
  };
}

function stepSummary(span: OtlpSpan): StepSummary {
  const a = attributesOf(span.attributes);
  const n = (key: string) => Number(a[key] ?? 0);
  return {
    step: n(ATTR.step),
    startMs: nanosToMs(span.startTimeUnixNano),
    durationMs:
      a[ATTR.durationMs] !== undefined
        ? n(ATTR.durationMs)
        : nanosToMs(span.endTimeUnixNano) - nanosToMs(span.startTimeUnixNano),
    batchSize: n(ATTR.scheduledRequests),
    numRunning: n(ATTR.numRunning),
    numWaiting: n(ATTR.numWaiting),
    prefillTokens: n(ATTR.prefillTokens),
    decodeTokens: n(ATTR.decodeTokens),
    kvUsage: n(ATTR.kvUsage),
    kvBlocksUsed: n(ATTR.kvBlocksUsed),
    preempted: n(ATTR.numPreempted),
    finished: n(ATTR.numFinished),
  };
}

/**
 * Event order for equal times: the order of a request's life, with the
 * events of a step's end (first token, natural finish) before those read
 * from the step's snapshot (chunks, back to decode), as the scheduler emits them.
 */
const RANK: Readonly<Record<JourneyEventType, number>> = {
  ARRIVED: 0,
  HANDOFF: 1,
  QUEUED: 2,
  SCHEDULED: 3,
  PREEMPTED: 4,
  FIRST_TOKEN: 5,
  FINISHED: 6,
  PREFILL_CHUNK: 7,
  DECODE: 8,
  FIRST_RESPONSE: 9,
  DEPARTED: 10,
  ABORTED: 10,
};

/**
 * Merges the two layers' events. API events are stamped on the tracer's
 * clock (to the millisecond only in older exports), journey events on the scheduler's,
 * so times alone can put them out of order. The API events keep the order
 * they were added in, and each is moved, by the clocks' disagreement at most,
 * onto the bound the server's order guarantees: arrival and hand-off before
 * queueing, the first response after the first token, the departure or
 * abort after the engine's last event.
 */
function finish(draft: Draft): Journey {
  const core = [...draft.core].sort((a, b) => a.timeMs - b.timeMs || RANK[a.type] - RANK[b.type]);
  const first = core[0]?.timeMs ?? Infinity;
  const last = core.at(-1)?.timeMs ?? -Infinity;
  const firstToken = core.find((e) => e.type === 'FIRST_TOKEN')?.timeMs ?? -Infinity;
  let previous = -Infinity;
  const api = draft.api.map((event) => {
    let timeMs = Math.max(event.timeMs, previous);
    if (event.type === 'ARRIVED' || event.type === 'HANDOFF') timeMs = Math.min(timeMs, first);
    else if (event.type === 'FIRST_RESPONSE') timeMs = Math.max(timeMs, firstToken);
    else timeMs = Math.max(timeMs, last);
    previous = timeMs;
    return timeMs === event.timeMs ? event : { ...event, timeMs };
  });
  const events = [...api, ...core].sort((a, b) => a.timeMs - b.timeMs || RANK[a.type] - RANK[b.type]);
  const start = events[0]?.timeMs;
  return {
    id: draft.id,
    startMs: start !== undefined ? Math.min(start, draft.startMs) : draft.startMs,
    info: draft.info,
    events,
    droppedEvents: 0,
  };
}

/** `<parent>-<k>` → k (the engine's id for choice k when `n > 1`). */
function choiceOf(coreId: string, parentId: string): number | undefined {
  const k = Number(coreId.slice(parentId.length + 1));
  return coreId.startsWith(`${parentId}-`) && Number.isInteger(k) ? k : undefined;
}

function spanKey(span: OtlpSpan): string {
  return `${span.traceId}/${span.spanId}`;
}

/** `{ [key]: convert(value) }` when `value` is set, else nothing. */
function optional<K extends string, T>(
  key: K,
  value: unknown,
  convert: (v: unknown) => T,
): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: convert(value) } as Partial<Record<K, T>>);
}
