/**
 * The extension point of `x-serve`: a package that adds flags and plugins
 * (journey tracing, say) registers a {@link ServerExtension} here. Its
 * options join the table (flags, `X_SERVE_*` variables and config-file keys
 * alike); after the settings are resolved, `activate` builds its plugins,
 * typically from a dynamic `import()` so the package stays optional.
 * @module
 */
import type { ServerPlugin } from '@x/openai-server';
import type { SchedulerPlugin } from '@x/scheduler';
import type { OptionSpec } from './option-specs.js';
import type { ResolvedOptions } from './resolve-config.js';
import { journeyTracing } from './tracing-flags.js';

/** What an active extension contributes to the server. */
export interface ExtensionPlugins {
  /** Subscribed to the HTTP server's request hooks. */
  readonly plugins?: readonly ServerPlugin[];
  /** Subscribed to the scheduler's lifecycle hooks. */
  readonly schedulerPlugins?: readonly SchedulerPlugin[];
  /** Runs on shutdown, after the last request ended (flush exporters here). */
  close?(): Promise<void>;
}

/** A package's flags and what they turn on. */
export interface ServerExtension {
  readonly name: string;
  /** Its settings, in the same table form as the server's own. */
  readonly options: readonly OptionSpec[];
  /** Builds its plugins from the resolved settings; undefined when its flags leave it off. */
  activate(options: ResolvedOptions): Promise<ExtensionPlugins | undefined>;
}

/** The registered extensions (journey tracing adds itself here). */
export const EXTENSIONS: readonly ServerExtension[] = [journeyTracing];
