/**
 * The recording half of the viewer: a server plugin and a scheduler plugin
 * that only listen, and keep the most recent journeys (each with its events
 * and their progress snapshots) and step summaries in bounded rings. Every
 * hook does a map lookup and an append; a change is reported to the watcher
 * (the live feed) only while one is set, so with no page open nothing is
 * serialized or queued.
 * @module
 */
import type { ServerPlugin, ServerRequestInfo, ServerRequestParams } from '@x/openai-server';
import type { FinishKind, ProgressSnapshot, RequestView, SchedulerPlugin, StepEvent } from '@x/scheduler';
import type {
  Journey,
  JourneyEvent,
  JourneyEventType,
  JourneyRequestInfo,
  JourneySnapshot,
  StepSummary,
} from './shared/journey-types.js';
import { progressOf, stepSummaryOf } from './hook-records.js';
import { PrefillTracker } from './shared/prefill-tracker.js';
import { Ring } from './shared/ring.js';

/** Bounds of what the recorder keeps. */
export interface JourneyRecorderOptions {
  /** Journeys kept, oldest evicted first (in flight or not); default 500. */
  readonly maxRequests?: number;
  /** Step summaries kept; default 3600. */
  readonly maxSteps?: number;
  /** Events kept per journey (its last events are always kept); default 256. */
  readonly maxEventsPerRequest?: number;
}

/** Told of every change while it is set. */
export interface RecorderWatcher {
  journeyChanged(journey: Journey): void;
  /** A journey left the ring: nothing needs sending for it any more. */
  journeyEvicted(journey: Journey): void;
  stepAdded(step: StepSummary): void;
}

/** A journey as the recorder builds it (the same object is what gets serialized). */
interface MutableJourney {
  readonly id: string;
  readonly startMs: number;
  info: JourneyRequestInfo;
  readonly events: JourneyEvent[];
  droppedEvents: number;
}

/** A kept journey and the bookkeeping that is not sent. */
interface Entry {
  readonly journey: MutableJourney;
  /** Created by the server's `onArrived` (so scheduler events join it, rather than start a row). */
  readonly fromServer: boolean;
  /** Engine request ids that joined it (one per choice). */
  readonly coreIds: string[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Where a scheduler request's events go. */
interface CoreTarget {
  readonly entry: Entry;
  readonly choice: number | undefined;
}

const TERMINAL = new Set<JourneyEventType>(['FINISHED', 'DEPARTED', 'ABORTED']);

/** Keeps recent journeys and steps from the two hook APIs. */
export class JourneyRecorder {
  readonly maxRequests: number;
  readonly maxSteps: number;
  readonly maxEventsPerRequest: number;
  /** Subscribe with `createApp({ plugins: [serverPlugin] })` or `app.use(serverPlugin)`. */
  readonly serverPlugin: ServerPlugin;
  /** Subscribe with `engine.use(schedulerPlugin)` or `scheduler.use(schedulerPlugin)`. */
  readonly schedulerPlugin: SchedulerPlugin;
  readonly #journeys: Ring<Entry>;
  readonly #byId = new Map<string, Entry>();
  /** Scheduler requests between QUEUED and FINISHED. */
  readonly #cores = new Map<string, CoreTarget>();
  readonly #steps: Ring<StepSummary>;
  readonly #prefill = new PrefillTracker();
  #watcher: RecorderWatcher | undefined;
  /**
   * Epoch ms minus monotonic ms on the scheduler's clock, learnt from its
   * progress snapshots, so the server's events (read on the same monotonic
   * source) land on the scheduler's timeline to the microsecond.
   */
  #epochOffsetMs = performance.timeOrigin;

  /** Throws a RangeError when a bound is not a positive integer. */
  constructor(options: JourneyRecorderOptions = {}) {
    this.maxRequests = positive(options.maxRequests ?? 500, 'maxRequests');
    this.maxSteps = positive(options.maxSteps ?? 3600, 'maxSteps');
    this.maxEventsPerRequest = positive(options.maxEventsPerRequest ?? 256, 'maxEventsPerRequest');
    this.#journeys = new Ring(this.maxRequests);
    this.#steps = new Ring(this.maxSteps);
    this.serverPlugin = {
      name: '@x/journey-viewer',
      onArrived: (req) => this.#arrived(req),
      onHandoff: (req, params) => this.#handoff(req, params),
      onFirstResponse: (req) =>
        this.#api(req.requestId, { type: 'FIRST_RESPONSE', layer: 'api', timeMs: this.nowMs() }),
      onDeparted: (req) => this.#api(req.requestId, { type: 'DEPARTED', layer: 'api', timeMs: this.nowMs() }),
      onAborted: (req, reason, httpStatus) =>
        this.#api(req.requestId, { type: 'ABORTED', layer: 'api', timeMs: this.nowMs(), reason, httpStatus }),
    };
    this.schedulerPlugin = {
      name: '@x/journey-viewer',
      onQueued: (request, progress) => this.#queued(request, progress),
      onScheduled: (request, kind, progress) => {
        if (progress.phase === 'PREFILL') this.#prefill.start(request.requestId, progress.prefillDone);
        this.#core(request.requestId, 'SCHEDULED', progress, { kind });
      },
      onFirstToken: (request, progress) => {
        this.#prefill.stop(request.requestId);
        this.#core(request.requestId, 'FIRST_TOKEN', progress);
      },
      onPreempted: (request, progress) => {
        this.#prefill.stop(request.requestId);
        this.#core(request.requestId, 'PREEMPTED', progress);
      },
      onFinished: (request, status, progress) => this.#finished(request, status, progress),
      onStep: (step) => this.#step(step),
    };
  }

  /** Reports every later change to `watcher`; `undefined` stops reporting. */
  watch(watcher: RecorderWatcher | undefined): void {
    this.#watcher = watcher;
  }

  /** Whether changes are being reported (a page is open). */
  get watched(): boolean {
    return this.#watcher !== undefined;
  }

  /** Now, as epoch ms on the scheduler's clock. */
  nowMs(): number {
    return this.#epochOffsetMs + performance.now();
  }

  /** Everything kept, oldest first; the journeys are the live objects, so serialize before they change. */
  snapshot(): JourneySnapshot {
    return {
      nowMs: this.nowMs(),
      maxRequests: this.maxRequests,
      maxSteps: this.maxSteps,
      journeys: [...this.#journeys].map((entry) => entry.journey),
      steps: this.#steps.toArray(),
    };
  }

  /** Journeys and steps kept, and scheduler requests in flight: the memory bound in numbers. */
  get size(): { journeys: number; steps: number; inFlight: number } {
    return { journeys: this.#journeys.size, steps: this.#steps.size, inFlight: this.#cores.size };
  }

  #arrived(req: ServerRequestInfo): void {
    const startMs = this.#epochOffsetMs + req.arrivalMonotonicNs / 1e6;
    const entry = this.#add(req.requestId, startMs, { endpoint: req.endpoint }, true);
    this.#append(entry, { type: 'ARRIVED', layer: 'api', timeMs: startMs });
  }

  #handoff(req: ServerRequestInfo, params: ServerRequestParams): void {
    const entry = this.#byId.get(req.requestId);
    if (entry === undefined) return;
    const info: Mutable<JourneyRequestInfo> = {
      endpoint: req.endpoint,
      model: params.model,
      promptTokens: params.promptTokens,
      stream: params.stream,
      n: params.n,
    };
    if (params.maxTokens !== undefined) info.maxTokens = params.maxTokens;
    entry.journey.info = info;
    this.#append(entry, { type: 'HANDOFF', layer: 'api', timeMs: this.nowMs() });
  }

  #api(requestId: string, event: JourneyEvent): void {
    const entry = this.#byId.get(requestId);
    if (entry !== undefined) this.#append(entry, event);
  }

  #queued(request: RequestView, progress: ProgressSnapshot): void {
    const id = request.requestId;
    const target: CoreTarget = this.#serverTarget(id) ?? {
      entry: this.#add(id, progress.epochMs, { promptTokens: request.numPromptTokens }, false),
      choice: undefined,
    };
    target.entry.coreIds.push(id);
    this.#cores.set(id, target);
    this.#core(id, 'QUEUED', progress);
  }

  /** The server journey a new scheduler request belongs to: its own id, or `<id>-<choice>` when `n > 1`. */
  #serverTarget(id: string): CoreTarget | undefined {
    const own = this.#byId.get(id);
    if (own?.fromServer && own.coreIds.length === 0) return { entry: own, choice: undefined };
    const dash = id.lastIndexOf('-');
    const parent = dash > 0 ? this.#byId.get(id.slice(0, dash)) : undefined;
    const choice = Number(id.slice(dash + 1));
    if (parent?.fromServer && (parent.journey.info.n ?? 1) > 1 && Number.isInteger(choice)) {
      return { entry: parent, choice };
    }
    return undefined;
  }

  #finished(request: RequestView, status: FinishKind, progress: ProgressSnapshot): void {
    const id = request.requestId;
    this.#prefill.stop(id);
    const reason = request.finishReasonText;
    this.#core(id, 'FINISHED', progress, reason === undefined ? { status } : { status, reason });
    this.#cores.delete(id);
  }

  #step(step: StepEvent): void {
    const summary = stepSummaryOf(step);
    this.#steps.push(summary);
    this.#watcher?.stepAdded(summary);
    // The per-request listing costs O(batch); it is read only while some prompt is being computed.
    if (this.#prefill.size === 0) return;
    const endMs = summary.startMs + summary.durationMs;
    for (const snapshot of step.requestSnapshots()) {
      const type = this.#prefill.observe(snapshot.requestId, snapshot.phase, snapshot.prefillDone);
      if (type === undefined) continue;
      const target = this.#cores.get(snapshot.requestId);
      if (target === undefined) continue;
      this.#append(target.entry, {
        type,
        layer: 'core',
        timeMs: endMs,
        ...(target.choice !== undefined && { choice: target.choice }),
        progress: progressOf({ ...snapshot, step: step.step }),
      });
    }
  }

  #core(
    id: string,
    type: JourneyEventType,
    progress: ProgressSnapshot,
    extra?: Pick<JourneyEvent, 'kind' | 'status' | 'reason'>,
  ): void {
    this.#epochOffsetMs = progress.epochMs - progress.monotonicNs / 1e6;
    const target = this.#cores.get(id);
    if (target === undefined) return;
    // Built field by field: this runs for every lifecycle event.
    const event: Mutable<JourneyEvent> = {
      type,
      layer: 'core',
      timeMs: progress.epochMs,
      progress: progressOf(progress),
    };
    if (target.choice !== undefined) event.choice = target.choice;
    if (extra !== undefined) Object.assign(event, extra);
    this.#append(target.entry, event);
  }

  /** Starts a journey; the oldest is evicted when the ring is full, its in-flight requests forgotten. */
  #add(id: string, startMs: number, info: JourneyRequestInfo, fromServer: boolean): Entry {
    const entry: Entry = {
      journey: { id, startMs, info, events: [], droppedEvents: 0 },
      fromServer,
      coreIds: [],
    };
    const evicted = this.#journeys.push(entry);
    if (evicted !== undefined) {
      this.#watcher?.journeyEvicted(evicted.journey);
      if (this.#byId.get(evicted.journey.id) === evicted) this.#byId.delete(evicted.journey.id);
      for (const coreId of evicted.coreIds) {
        if (this.#cores.get(coreId)?.entry !== evicted) continue;
        this.#cores.delete(coreId);
        this.#prefill.stop(coreId);
      }
    }
    this.#byId.set(id, entry);
    return entry;
  }

  #append(entry: Entry, event: JourneyEvent): void {
    const { journey } = entry;
    // Past the cap only the endings are kept, so a row still says how it ended.
    if (journey.events.length >= this.maxEventsPerRequest && !TERMINAL.has(event.type))
      journey.droppedEvents++;
    else journey.events.push(event);
    this.#watcher?.journeyChanged(journey);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer (got ${String(value)})`);
  }
  return value;
}
