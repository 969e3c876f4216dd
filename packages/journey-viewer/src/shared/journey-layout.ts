/**
 * A journey as the timeline draws it: phase segments (what the request was
 * doing from when to when), markers (first token, prefill chunks, the end)
 * and a one-word status. Pure, so the page and the tests share it.
 * @module
 */
import type { FinishStatus, Journey, JourneyEvent } from './journey-types.js';

/** What a request is doing during a segment. */
export type SegmentPhase = 'api' | 'queued' | 'prefill' | 'decode' | 'preempted' | 'respond';

/** The phases in the order the legend shows them. */
export const SEGMENT_PHASES: readonly SegmentPhase[] = [
  'api',
  'queued',
  'prefill',
  'decode',
  'preempted',
  'respond',
];

/** A stretch of one phase. */
export interface Segment {
  readonly phase: SegmentPhase;
  readonly startMs: number;
  readonly endMs: number;
  /** Still going: it ends at the `nowMs` the layout was made with. */
  readonly open: boolean;
  /** The choice lane (0 unless `n > 1`); -1 spans every lane (the API's own phases). */
  readonly lane: number;
}

/** A point on the timeline. */
export interface Marker {
  readonly type: 'first-token' | 'prefill-chunk' | 'finished' | 'aborted';
  readonly timeMs: number;
  readonly lane: number;
  /** `finished`: how. */
  readonly status?: FinishStatus;
}

/** Where a request is now, or how it ended. */
/** `rejected`: answered with a 4xx other than 499 (client gone), e.g. a 400 for a bad field. */
export type JourneyStatus =
  'arriving' | 'queued' | 'prefill' | 'decode' | 'preempted' | FinishStatus | 'rejected';

/** A journey ready to draw. */
export interface JourneyLayout {
  readonly lanes: number;
  readonly segments: readonly Segment[];
  readonly markers: readonly Marker[];
  readonly status: JourneyStatus;
  /** The abort reason or finish reason, when there is one. */
  readonly reason?: string;
  /** Whether the journey has ended (every lane finished, and the response sent or aborted). */
  readonly done: boolean;
  readonly startMs: number;
  /** The last event's time; `nowMs` while in flight. */
  readonly endMs: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly preemptions: number;
}

/** Severity order when choices end differently: the row shows the worst. */
const FINISH_RANK: Readonly<Record<FinishStatus, number>> = {
  stopped: 0,
  length: 1,
  aborted: 2,
  ignored: 3,
  error: 4,
};

const IN_FLIGHT_STATUS: Readonly<Record<SegmentPhase, JourneyStatus>> = {
  api: 'arriving',
  queued: 'queued',
  prefill: 'prefill',
  decode: 'decode',
  preempted: 'preempted',
  respond: 'decode',
};

/** One choice's open segment and totals while walking its events. */
interface LaneState {
  phase: SegmentPhase | undefined;
  since: number;
  finished: FinishStatus | undefined;
  outputTokens: number;
  preemptions: number;
}

/** Lays out `journey` as of `nowMs` (open segments end there). */
export function layoutJourney(journey: Journey, nowMs: number): JourneyLayout {
  const segments: Segment[] = [];
  const markers: Marker[] = [];
  const lanes = new Map<number, LaneState>();
  const laneOf = (choice: number) => {
    let lane = lanes.get(choice);
    if (lane === undefined) {
      lane = { phase: undefined, since: 0, finished: undefined, outputTokens: 0, preemptions: 0 };
      lanes.set(choice, lane);
    }
    return lane;
  };
  const enter = (state: LaneState, lane: number, phase: SegmentPhase | undefined, at: number) => {
    if (state.phase !== undefined)
      segments.push({ phase: state.phase, startMs: state.since, endMs: at, open: false, lane });
    state.phase = phase;
    state.since = at;
  };
  const api: LaneState = { phase: undefined, since: 0, finished: undefined, outputTokens: 0, preemptions: 0 };
  let lastFinishMs: number | undefined;
  let abortReason: string | undefined;
  let abortStatus: number | undefined;
  let finishReason: string | undefined;
  let responded = false;
  let endMs = journey.startMs;

  for (const event of journey.events) {
    endMs = Math.max(endMs, event.timeMs);
    if (event.layer === 'api') {
      if (event.type === 'ARRIVED') enter(api, -1, 'api', event.timeMs);
      else if (event.type === 'HANDOFF') enter(api, -1, undefined, event.timeMs);
      else if (event.type === 'DEPARTED' || event.type === 'ABORTED') {
        responded = true;
        if (api.phase === undefined && lastFinishMs !== undefined) {
          // The last detokenization and write after the engine finished.
          segments.push({
            phase: 'respond',
            startMs: lastFinishMs,
            endMs: event.timeMs,
            open: false,
            lane: -1,
          });
        }
        enter(api, -1, undefined, event.timeMs);
        if (event.type === 'ABORTED') {
          abortReason = event.reason ?? 'aborted';
          abortStatus = event.httpStatus;
          markers.push({ type: 'aborted', timeMs: event.timeMs, lane: -1 });
        }
      }
      continue;
    }
    const choice = event.choice ?? 0;
    const state = laneOf(choice);
    if (event.progress !== undefined) {
      state.outputTokens = event.progress.decodeDone;
      state.preemptions = event.progress.numPreemptions;
    }
    switch (event.type) {
      case 'QUEUED':
        enter(state, choice, 'queued', event.timeMs);
        break;
      case 'SCHEDULED':
        enter(state, choice, event.progress?.phase === 'DECODE' ? 'decode' : 'prefill', event.timeMs);
        break;
      case 'PREFILL_CHUNK':
        markers.push({ type: 'prefill-chunk', timeMs: event.timeMs, lane: choice });
        break;
      case 'FIRST_TOKEN':
        markers.push({ type: 'first-token', timeMs: event.timeMs, lane: choice });
        enter(state, choice, 'decode', event.timeMs);
        break;
      case 'DECODE':
        enter(state, choice, 'decode', event.timeMs);
        break;
      case 'PREEMPTED':
        enter(state, choice, 'preempted', event.timeMs);
        break;
      case 'FINISHED':
        enter(state, choice, undefined, event.timeMs);
        state.finished = event.status ?? 'stopped';
        if (event.reason !== undefined) finishReason = event.reason;
        markers.push({ type: 'finished', timeMs: event.timeMs, lane: choice, status: state.finished });
        lastFinishMs = Math.max(lastFinishMs ?? 0, event.timeMs);
        break;
      default:
        break;
    }
  }

  const states = [...lanes.entries()];
  const allFinished = states.length > 0 && states.every(([, s]) => s.finished !== undefined);
  const hasApi = journey.events.some((e) => e.layer === 'api');
  const done = responded || (!hasApi && allFinished);
  // Whatever is still open runs to now, unless the journey ended without closing it (evicted halves).
  const closeAt = done ? endMs : nowMs;
  for (const [choice, state] of states) {
    if (state.phase !== undefined) {
      segments.push({ phase: state.phase, startMs: state.since, endMs: closeAt, open: !done, lane: choice });
    }
  }
  if (api.phase !== undefined) {
    segments.push({ phase: api.phase, startMs: api.since, endMs: closeAt, open: !done, lane: -1 });
  } else if (!done && allFinished && lastFinishMs !== undefined) {
    segments.push({ phase: 'respond', startMs: lastFinishMs, endMs: nowMs, open: true, lane: -1 });
  }

  return {
    lanes: Math.max(1, ...[...lanes.keys()].map((k) => k + 1)),
    segments,
    markers,
    status: statusOf(
      states.map(([, s]) => s),
      api,
      abortReason,
      abortStatus,
    ),
    ...((abortReason ?? finishReason) !== undefined && { reason: abortReason ?? finishReason }),
    done,
    startMs: journey.startMs,
    endMs: done ? endMs : nowMs,
    promptTokens: journey.info.promptTokens ?? promptTokensOf(journey.events),
    outputTokens: states.reduce((sum, [, s]) => sum + s.outputTokens, 0),
    preemptions: states.reduce((sum, [, s]) => sum + s.preemptions, 0),
  };
}

function statusOf(
  lanes: readonly LaneState[],
  api: LaneState,
  abortReason: string | undefined,
  abortStatus: number | undefined,
): JourneyStatus {
  if (abortReason !== undefined) return isRejection(abortStatus) ? 'rejected' : 'aborted';
  let worst: FinishStatus | undefined;
  for (const lane of lanes) {
    if (
      lane.finished !== undefined &&
      (worst === undefined || FINISH_RANK[lane.finished] > FINISH_RANK[worst])
    )
      worst = lane.finished;
  }
  const running = lanes.find((lane) => lane.finished === undefined && lane.phase !== undefined);
  if (running !== undefined) return IN_FLIGHT_STATUS[running.phase!];
  if (worst !== undefined) return worst;
  return api.phase === 'api' || lanes.length === 0 ? 'arriving' : 'queued';
}

function promptTokensOf(events: readonly JourneyEvent[]): number {
  for (const event of events) if (event.progress !== undefined) return event.progress.prefillTotal;
  return 0;
}

/** A 4xx refusal (bad input, limits), as opposed to a client that went away (499) or a failure. */
function isRejection(httpStatus: number | undefined): boolean {
  return httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500 && httpStatus !== 499;
}
