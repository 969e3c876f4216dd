/**
 * The registry of server plugins: `use(plugin)` subscribes and returns the
 * unsubscribe function; `active` is the single flag a request checks before
 * doing any hook work; dispatch isolates plugins from each other and from
 * the request (a plugin that throws is reported once, then ignored).
 * @module
 */
import type { Logger } from 'pino';
import type { ServerPlugin, Unsubscribe } from './hooks.js';

/** The hooks a plugin may implement. */
export type ServerHookName = Exclude<keyof ServerPlugin, 'name'>;

/** One plugin's subscription; a request keeps the list it saw at arrival. */
export interface Subscription {
  readonly plugin: ServerPlugin;
  /** Cleared on unsubscribe, so requests in flight stop calling it. */
  live: boolean;
  /** Set on the first failure, so each plugin is reported once. */
  failed: boolean;
}

type AnyHook = (a: unknown, b: unknown, c: unknown) => void;

/** Subscribers of the server hooks. */
export class PluginHub {
  /** True while any plugin is subscribed. */
  active = false;
  #subscriptions: readonly Subscription[] = [];
  readonly #logger: Logger;

  /** Plugin failures are reported to `logger` at warn. */
  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The live subscriptions (a new array after each change, so a snapshot stays valid). */
  get subscriptions(): readonly Subscription[] {
    return this.#subscriptions;
  }

  /** Subscribes a plugin; returns its unsubscribe function. */
  use(plugin: ServerPlugin): Unsubscribe {
    if (typeof plugin !== 'object' || plugin === null)
      throw new TypeError('a server plugin must be an object');
    const subscription: Subscription = { plugin, live: true, failed: false };
    this.#set([...this.#subscriptions, subscription]);
    return () => {
      if (!subscription.live) return;
      subscription.live = false;
      this.#set(this.#subscriptions.filter((s) => s !== subscription));
    };
  }

  /** Calls `name` on each live plugin of `subscriptions` that implements it. */
  dispatch(
    subscriptions: readonly Subscription[],
    name: ServerHookName,
    a: unknown,
    b?: unknown,
    c?: unknown,
  ): void {
    for (const subscription of subscriptions) {
      const hook = subscription.plugin[name] as AnyHook | undefined;
      if (!subscription.live || typeof hook !== 'function') continue;
      try {
        hook.call(subscription.plugin, a, b, c);
      } catch (error) {
        this.#report(subscription, name, error);
      }
    }
  }

  #set(subscriptions: readonly Subscription[]): void {
    this.#subscriptions = subscriptions;
    this.active = subscriptions.length > 0;
  }

  #report(subscription: Subscription, name: ServerHookName, error: unknown): void {
    if (subscription.failed) return;
    subscription.failed = true;
    this.#logger.warn(
      { err: error, plugin: subscription.plugin.name ?? 'anonymous', hook: name },
      'server plugin threw; the request goes on and its further errors are not reported',
    );
  }
}
