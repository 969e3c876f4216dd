/**
 * A journey logger: one JSON line per event of every request, from both
 * hook APIs. The server plugin logs what the HTTP layer sees (arrival,
 * hand-off, first response, departure or abort); the scheduler plugin logs
 * what the engine does (queued, scheduled, first token, preempted, finished)
 * with the request's progress. Lines of one request share its `requestId`
 * (with `n > 1` the engine's ids are `<requestId>-<index>`).
 * @module
 */
import type { ServerPlugin } from '@x/openai-server';
import type { ProgressSnapshot, SchedulerPlugin } from '@x/scheduler';

/** One logged event. */
export interface JourneyLine {
  /** Unix ms. */
  readonly ts: number;
  /** Which hook API it came from. */
  readonly layer: 'api' | 'core';
  readonly requestId: string;
  readonly event: string;
  /** Extra fields of the event (progress, parameters, reason…). */
  readonly [field: string]: unknown;
}

/** Options of {@link createJourneyLogger}. */
export interface JourneyLoggerOptions {
  /** Receives each line (JSON, no newline); default `process.stdout`. */
  readonly write?: (line: string) => void;
}

/** The two plugins, and how many requests the server plugin is still following. */
export interface JourneyLogger {
  readonly serverPlugin: ServerPlugin;
  readonly schedulerPlugin: SchedulerPlugin;
  /** Requests arrived but not yet departed or aborted: 0 when idle, or the plugin leaks. */
  readonly pending: number;
}

const progressFields = (p: ProgressSnapshot) => ({
  step: p.step,
  phase: p.phase,
  prefill: `${p.prefillDone}/${p.prefillTotal}`,
  decode: `${p.decodeDone}/${p.decodeMax}`,
  preemptions: p.numPreemptions,
});

/** Builds the logger's server and scheduler plugins. */
export function createJourneyLogger(options: JourneyLoggerOptions = {}): JourneyLogger {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const emit = (line: JourneyLine) => write(JSON.stringify(line));
  // Per-request state: arrival time, for the latency on the terminal line. Deleted there, on both paths.
  const arrivals = new Map<string, number>();
  const end = (requestId: string) => {
    const arrived = arrivals.get(requestId);
    arrivals.delete(requestId);
    return arrived === undefined ? undefined : Date.now() - arrived;
  };

  const serverPlugin: ServerPlugin = {
    name: 'journey-logger',
    onArrived(req) {
      arrivals.set(req.requestId, req.arrivalEpochMs);
      emit({
        ts: req.arrivalEpochMs,
        layer: 'api',
        requestId: req.requestId,
        event: 'ARRIVED',
        endpoint: req.endpoint,
      });
    },
    onHandoff(req, params) {
      emit({ ts: Date.now(), layer: 'api', requestId: req.requestId, event: 'HANDOFF', ...params });
    },
    onFirstResponse(req) {
      emit({ ts: Date.now(), layer: 'api', requestId: req.requestId, event: 'FIRST_RESPONSE' });
    },
    onDeparted(req, result) {
      const latencyMs = end(req.requestId);
      emit({
        ts: Date.now(),
        layer: 'api',
        requestId: req.requestId,
        event: 'DEPARTED',
        latencyMs,
        ...result,
      });
    },
    onAborted(req, reason) {
      const latencyMs = end(req.requestId);
      emit({ ts: Date.now(), layer: 'api', requestId: req.requestId, event: 'ABORTED', latencyMs, reason });
    },
  };

  const core = (event: string, requestId: string, progress: ProgressSnapshot, extra: object = {}) =>
    emit({ ts: progress.epochMs, layer: 'core', requestId, event, ...progressFields(progress), ...extra });
  const schedulerPlugin: SchedulerPlugin = {
    name: 'journey-logger',
    onQueued: (request, progress) => core('QUEUED', request.requestId, progress),
    onScheduled: (request, kind, progress) => core('SCHEDULED', request.requestId, progress, { kind }),
    onFirstToken: (request, progress) => core('FIRST_TOKEN', request.requestId, progress),
    onPreempted: (request, progress) => core('PREEMPTED', request.requestId, progress),
    onFinished: (request, status, progress) => core('FINISHED', request.requestId, progress, { status }),
  };

  return {
    serverPlugin,
    schedulerPlugin,
    get pending() {
      return arrivals.size;
    },
  };
}
