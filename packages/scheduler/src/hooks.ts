/**
 * Lifecycle hooks: the plugin API. A plugin is an object with any subset of
 * the `on*` methods; `use(plugin)` subscribes it and returns its unsubscribe
 * function. The registry keeps one boolean per event so that an emission point
 * with no subscriber costs a single check and allocates nothing, and it
 * isolates subscribers: one that throws is reported once and never breaks
 * scheduling or the subscribers after it. An event emitted while a hook runs
 * (a plugin aborting a request) waits until the current event has reached
 * every plugin, so all plugins see events in the same order.
 */
import type { ProgressSnapshot } from './progress.js';
import type { FinishedStatus, RequestView, ScheduleKind } from './request.js';
import type { StepEvent } from './step-event.js';

/** How a request ended, as hooks report it. */
export type FinishKind = 'stopped' | 'length' | 'aborted' | 'ignored' | 'error';

const FINISH_KINDS: Readonly<Record<FinishedStatus, FinishKind>> = {
  FINISHED_STOPPED: 'stopped',
  FINISHED_LENGTH: 'length',
  FINISHED_ABORTED: 'aborted',
  FINISHED_IGNORED: 'ignored',
  FINISHED_ERROR: 'error',
};

/** The hook-facing name of a terminal status. */
export function finishKindOf(status: FinishedStatus): FinishKind {
  return FINISH_KINDS[status];
}

/**
 * A plugin: implement only the events you need. Methods are looked up once, in
 * `use()`; every argument is read-only and valid during the call.
 */
export interface SchedulerPlugin {
  /** Shown in the warning when the plugin throws. */
  readonly name?: string;
  /** The request was accepted (fires even for one that is then ignored). Always its first event. */
  onQueued?(request: RequestView, progress: ProgressSnapshot): void;
  /** The request joined the batch: 'FIRST' once, 'RESUME' after each preemption. */
  onScheduled?(request: RequestView, kind: ScheduleKind, progress: ProgressSnapshot): void;
  /** The first output token was appended. Fires at most once per request. */
  onFirstToken?(request: RequestView, progress: ProgressSnapshot): void;
  /** The request lost its KV blocks and went back to the front of the queue. */
  onPreempted?(request: RequestView, progress: ProgressSnapshot): void;
  /** The request ended; exactly once per request, always its last event. */
  onFinished?(request: RequestView, status: FinishKind, progress: ProgressSnapshot): void;
  /** A step completed (after `updateFromOutput`). */
  onStep?(step: StepEvent): void;
}

/** The events a plugin can subscribe to. */
export type HookName = Exclude<keyof SchedulerPlugin, 'name'>;

/** Removes a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/** Where subscriber failures are reported. */
export interface HookLogger {
  /** Called once per plugin, on its first failure. */
  warn(message: string, error: unknown): void;
}

/** The part of the registry plugins and callers see. */
export interface PluginHost {
  /** Subscribes a plugin; returns its unsubscribe function. */
  use(plugin: SchedulerPlugin): Unsubscribe;
  /** Plugins subscribed. */
  readonly size: number;
}

const HOOK_NAMES: readonly HookName[] = [
  'onQueued',
  'onScheduled',
  'onFirstToken',
  'onPreempted',
  'onFinished',
  'onStep',
];

interface Subscription {
  readonly plugin: SchedulerPlugin;
  /** Set on the first failure, so each plugin is reported once. */
  failed: boolean;
}

type AnyHook = (a: unknown, b: unknown, c: unknown) => void;

/** One plugin's method for one event, looked up once when the lists are built. */
interface Listener {
  readonly subscription: Subscription;
  readonly method: AnyHook;
}

/** An event emitted during another's delivery, held until that delivery completes. */
interface DeferredEvent {
  readonly name: HookName;
  readonly a: unknown;
  readonly b: unknown;
  readonly c: unknown;
}

/** Subscriber lists, per-event flags and isolated dispatch. Only the scheduler emits. */
export class HookRegistry implements PluginHost {
  /** Whether anyone listens for onQueued; read before building anything for the event. */
  hasQueued = false;
  /** Whether anyone listens for onScheduled. */
  hasScheduled = false;
  /** Whether anyone listens for onFirstToken. */
  hasFirstToken = false;
  /** Whether anyone listens for onPreempted. */
  hasPreempted = false;
  /** Whether anyone listens for onFinished. */
  hasFinished = false;
  /** Whether anyone listens for onStep. */
  hasStep = false;
  readonly #logger: HookLogger;
  #all: readonly Subscription[] = [];
  /** Per-event lists, replaced (never mutated) on change, so unsubscribing during an emission is safe. */
  #byHook: Record<HookName, readonly Listener[]> = emptyLists();
  #delivering = false;
  readonly #deferred: DeferredEvent[] = [];

  /** Failures go to `logger` (default: console). */
  constructor(logger: HookLogger = console) {
    this.#logger = logger;
  }

  get size(): number {
    return this.#all.length;
  }

  use(plugin: SchedulerPlugin): Unsubscribe {
    if (typeof plugin !== 'object' || plugin === null) throw new TypeError('a plugin must be an object');
    const subscription: Subscription = { plugin, failed: false };
    this.#all = [...this.#all, subscription];
    this.#rebuild();
    return () => {
      if (!this.#all.includes(subscription)) return;
      this.#all = this.#all.filter((s) => s !== subscription);
      this.#rebuild();
    };
  }

  /** Emits onQueued. */
  queued(request: RequestView, progress: ProgressSnapshot): void {
    this.#dispatch('onQueued', request, progress, undefined);
  }

  /** Emits onScheduled. */
  scheduled(request: RequestView, kind: ScheduleKind, progress: ProgressSnapshot): void {
    this.#dispatch('onScheduled', request, kind, progress);
  }

  /** Emits onFirstToken. */
  firstToken(request: RequestView, progress: ProgressSnapshot): void {
    this.#dispatch('onFirstToken', request, progress, undefined);
  }

  /** Emits onPreempted. */
  preempted(request: RequestView, progress: ProgressSnapshot): void {
    this.#dispatch('onPreempted', request, progress, undefined);
  }

  /** Emits onFinished. */
  finished(request: RequestView, status: FinishKind, progress: ProgressSnapshot): void {
    this.#dispatch('onFinished', request, status, progress);
  }

  /** Emits onStep. */
  step(event: StepEvent): void {
    this.#dispatch('onStep', event, undefined, undefined);
  }

  #dispatch(name: HookName, a: unknown, b: unknown, c: unknown): void {
    if (this.#delivering) {
      this.#deferred.push({ name, a, b, c });
      return;
    }
    this.#delivering = true;
    try {
      this.#deliver(name, a, b, c);
      const deferred = this.#deferred;
      for (let i = 0; i < deferred.length; i++) {
        const event = deferred[i]!;
        this.#deliver(event.name, event.a, event.b, event.c);
      }
    } finally {
      // Touch the queue only when used: writing an array's length is not free.
      if (this.#deferred.length !== 0) this.#deferred.length = 0;
      this.#delivering = false;
    }
  }

  #deliver(name: HookName, a: unknown, b: unknown, c: unknown): void {
    const listeners = this.#byHook[name];
    for (let i = 0; i < listeners.length; i++) {
      const { subscription, method } = listeners[i]!;
      try {
        method.call(subscription.plugin, a, b, c);
      } catch (error) {
        this.#report(subscription, name, error);
      }
    }
  }

  #report(subscription: Subscription, name: HookName, error: unknown): void {
    if (subscription.failed) return;
    subscription.failed = true;
    const label = subscription.plugin.name ?? 'anonymous';
    this.#logger.warn(
      `[@x/scheduler] plugin "${label}" threw in ${name}; scheduling continues and its further errors are not reported`,
      error,
    );
  }

  #rebuild(): void {
    const lists = emptyLists();
    for (const name of HOOK_NAMES) {
      const listeners: Listener[] = [];
      for (const subscription of this.#all) {
        const method = subscription.plugin[name];
        if (typeof method === 'function') listeners.push({ subscription, method: method as AnyHook });
      }
      lists[name] = listeners;
    }
    this.#byHook = lists;
    this.hasQueued = lists.onQueued.length > 0;
    this.hasScheduled = lists.onScheduled.length > 0;
    this.hasFirstToken = lists.onFirstToken.length > 0;
    this.hasPreempted = lists.onPreempted.length > 0;
    this.hasFinished = lists.onFinished.length > 0;
    this.hasStep = lists.onStep.length > 0;
  }
}

function emptyLists(): Record<HookName, readonly Listener[]> {
  return { onQueued: [], onScheduled: [], onFirstToken: [], onPreempted: [], onFinished: [], onStep: [] };
}
