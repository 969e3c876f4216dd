/** A plugin that records every event, per request and per step, for assertions. */
import type { FinishKind, ProgressSnapshot, SchedulerPlugin, StepEvent } from '../../src/index.js';

/** One recorded request event. */
export interface RecordedEvent {
  readonly type: 'queued' | 'scheduled' | 'firstToken' | 'preempted' | 'finished';
  /** FIRST/RESUME for scheduled, the finish kind for finished. */
  readonly detail?: string;
  readonly progress: ProgressSnapshot;
}

/** Recording plugin plus its logs. */
export interface Recorder {
  readonly plugin: SchedulerPlugin;
  /** Events by request id, in emission order. */
  readonly events: Map<string, RecordedEvent[]>;
  /** Step events in order. */
  readonly steps: StepEvent[];
  /** All request events as "id:type[:detail]" strings, in global order. */
  readonly log: string[];
}

/** Creates a recorder; subscribe its `plugin`. */
export function createRecorder(): Recorder {
  const events = new Map<string, RecordedEvent[]>();
  const steps: StepEvent[] = [];
  const log: string[] = [];
  const record = (id: string, event: RecordedEvent): void => {
    const list = events.get(id) ?? [];
    list.push(event);
    events.set(id, list);
    log.push(event.detail === undefined ? `${id}:${event.type}` : `${id}:${event.type}:${event.detail}`);
  };
  const plugin: SchedulerPlugin = {
    name: 'recorder',
    onQueued: (r, progress) => record(r.requestId, { type: 'queued', progress }),
    onScheduled: (r, kind, progress) => record(r.requestId, { type: 'scheduled', detail: kind, progress }),
    onFirstToken: (r, progress) => record(r.requestId, { type: 'firstToken', progress }),
    onPreempted: (r, progress) => record(r.requestId, { type: 'preempted', progress }),
    onFinished: (r, kind: FinishKind, progress) =>
      record(r.requestId, { type: 'finished', detail: kind, progress }),
    onStep: (step) => steps.push(step),
  };
  return { plugin, events, steps, log };
}

/**
 * Checks one request's event sequence against the lifecycle automaton:
 * QUEUED first; SCHEDULED FIRST once and before any RESUME; FIRST_TOKEN at most
 * once and only while running; each PREEMPTED followed by RESUME or FINISHED;
 * FINISHED exactly once and last; progress never going backwards.
 * Returns a description of the first violation, or null.
 */
export function lifecycleViolation(events: readonly RecordedEvent[]): string | null {
  let state: 'new' | 'queued' | 'running' | 'preempted' | 'done' = 'new';
  let sawFirstToken = false;
  let prefill = 0;
  let decode = 0;
  for (const [i, e] of events.entries()) {
    const at = `event ${i} (${e.type}${e.detail ? ' ' + e.detail : ''}) in state ${state}`;
    if (e.progress.prefillDone < prefill || e.progress.decodeDone < decode)
      return `progress went back at ${at}`;
    prefill = e.progress.prefillDone;
    decode = e.progress.decodeDone;
    if (state === 'done') return `event after FINISHED: ${at}`;
    if (e.type === 'finished') {
      if (state === 'new') return `FINISHED before QUEUED: ${at}`;
      state = 'done';
    } else if (e.type === 'queued') {
      if (state !== 'new') return `QUEUED twice: ${at}`;
      state = 'queued';
    } else if (e.type === 'scheduled') {
      const expected = state === 'queued' ? 'FIRST' : state === 'preempted' ? 'RESUME' : null;
      if (expected === null || e.detail !== expected) return `unexpected SCHEDULED: ${at}`;
      state = 'running';
    } else if (e.type === 'firstToken') {
      if (state !== 'running' || sawFirstToken) return `unexpected FIRST_TOKEN: ${at}`;
      sawFirstToken = true;
    } else {
      if (state !== 'running') return `unexpected PREEMPTED: ${at}`;
      state = 'preempted';
    }
  }
  return state === 'done' ? null : `no FINISHED (ended in state ${state})`;
}
