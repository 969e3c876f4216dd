/**
 * The extension point of `x-serve`: a package that adds flags and plugins
 * (journey tracing, the journey viewer) registers a {@link ServerExtension}
 * here. Its options join the table (flags, `X_SERVE_*` variables and
 * config-file keys alike); after the settings are resolved, `activate` builds
 * its plugins, typically from a dynamic `import()` so the package stays
 * optional. Data flows one way: plugins only listen, and routes only read
 * what their plugins kept.
 * @module
 */
import type { OpenAIApp, ServerPlugin } from '@x/openai-server';
import type { SchedulerPlugin } from '@x/scheduler';
import { journeyViewer } from './journey-viewer-flags.js';
import type { OptionSpec } from './option-specs.js';
import type { ResolvedOptions } from './resolve-config.js';
import type { StartServerOptions } from './start-server.js';
import { journeyTracing } from './tracing-flags.js';

/** What an active extension contributes to the server. */
export interface ExtensionPlugins {
  /** Subscribed to the HTTP server's request hooks. */
  readonly plugins?: readonly ServerPlugin[];
  /** Subscribed to the scheduler's lifecycle hooks. */
  readonly schedulerPlugins?: readonly SchedulerPlugin[];
  /**
   * Adds routes to the server's Hono app, once, before it listens (Hono
   * cannot add routes after its first request). Keep them outside `/v1`:
   * the API-key check there is the OpenAI API's; routes of your own apply
   * the server's keys themselves if they should (the `apiKey` setting).
   */
  routes?(app: OpenAIApp['hono']): void;
  /**
   * Runs as soon as shutdown begins, before in-flight requests drain: end
   * long-lived responses of your own (event streams), which would otherwise
   * hold the server open for the whole grace period.
   */
  closing?(): void;
  /** Runs on shutdown, after the last request ended (flush exporters here). */
  close?(): Promise<void>;
  /** Rows for the start-up summary, by label, given the server's URL (no secrets: it is printed). */
  summary?(url: string): Readonly<Record<string, string>>;
}

/** A package's flags and what they turn on. */
export interface ServerExtension {
  readonly name: string;
  /** Its settings, in the same table form as the server's own. */
  readonly options: readonly OptionSpec[];
  /** Builds its plugins from the resolved settings; undefined when its flags leave it off. */
  activate(options: ResolvedOptions): Promise<ExtensionPlugins | undefined>;
}

/** The registered extensions. */
export const EXTENSIONS: readonly ServerExtension[] = [journeyTracing, journeyViewer];

/** What active extensions contribute, as {@link StartServerOptions}. */
export function extensionServerOptions(
  active: readonly ExtensionPlugins[],
): Pick<
  StartServerOptions,
  'plugins' | 'schedulerPlugins' | 'routes' | 'onClosing' | 'onClose' | 'summaryRows'
> {
  return {
    plugins: active.flatMap((a) => a.plugins ?? []),
    schedulerPlugins: active.flatMap((a) => a.schedulerPlugins ?? []),
    routes: active.flatMap((a) => (a.routes ? [(app: OpenAIApp['hono']) => a.routes!(app)] : [])),
    onClosing: active.flatMap((a) => (a.closing ? [() => a.closing!()] : [])),
    onClose: active.flatMap((a) => (a.close ? [() => a.close!()] : [])),
    summaryRows: active.flatMap((a) => (a.summary ? [(url: string) => a.summary!(url)] : [])),
  };
}
