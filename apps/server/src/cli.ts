#!/usr/bin/env node
/**
 * `x-serve`: parses the settings (flags > environment > config file >
 * defaults), starts the server with whatever extensions the settings turn
 * on, prints the start-up summary, and shuts down gracefully on SIGINT or
 * SIGTERM (exit 0). Bad flags or settings exit with status 2.
 * @module
 */
import { EngineConfigError } from '@x/engine';
import { CommanderError } from 'commander';
import { pino } from 'pino';
import { EXTENSIONS, extensionServerOptions, type ExtensionPlugins } from './extensions.js';
import { inFlagTerms } from './flag-terms.js';
import { SERVE_OPTIONS } from './option-specs.js';
import { ListenError } from './early-listen.js';
import { checkLaunchFiles } from './launch-files.js';
import { buildProgram } from './program.js';
import { ConfigError, resolveOptions } from './resolve-config.js';
import { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
import { formatSummary } from './startup-summary.js';
import { checkVllmFlags } from './vllm-compat.js';

const USAGE_ERROR = 2;

/** Runs the command line; resolves with the exit status. */
export async function main(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const specs = [...SERVE_OPTIONS, ...EXTENSIONS.flatMap((e) => e.options)];
  const program = buildProgram(specs);
  let settings: Record<string, unknown>;
  let active: ExtensionPlugins[];
  let warnings: string[];
  try {
    program.parse(argv);
    settings = resolveOptions(program, specs, env);
    const [positional] = program.args;
    if (positional !== undefined) {
      if (program.getOptionValueSource('model') === 'cli')
        throw new ConfigError('give the model once: as an argument or --model');
      settings.model = positional;
    }
    warnings = checkVllmFlags(settings);
    settings = checkLaunchFiles(settings);
    // An extension's settings error (tracing with no endpoint) is a usage error too.
    active = (await Promise.all(EXTENSIONS.map((e) => e.activate(settings)))).filter((a) => a !== undefined);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    if (error instanceof ConfigError) {
      process.stderr.write(`x-serve: error: ${error.message}\n`);
      return USAGE_ERROR;
    }
    throw error;
  }

  const warn = (line: string) => process.stderr.write(`x-serve: warning: ${line}\n`);
  warnings.forEach(warn);
  const logger = pino({ level: settings.logLevel as string });
  let server: RunningServer;
  try {
    // The settings were parsed by their options' own parsers, under the same keys startServer takes.
    server = await startServer({
      ...(settings as StartServerOptions),
      logger,
      progress: true,
      onWarning: warn,
      ...extensionServerOptions(active),
    });
  } catch (error) {
    // A busy port (found before the model loads): one line, not a usage error.
    if (error instanceof ListenError) {
      process.stderr.write(`x-serve: error: ${error.message}\n`);
      return 1;
    }
    // Flags that cannot work together, found by the engine before any weight is read.
    if (!(error instanceof EngineConfigError)) throw error;
    process.stderr.write(`x-serve: error: ${inFlagTerms(error.message, specs)}\n`);
    return USAGE_ERROR;
  }
  // Listen for the signals before saying we are ready: one sent as soon as the summary is read
  // must not find the default action (death by signal) still in place.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`x-serve is ready\n${formatSummary(server.summary)}\n`);

  const signal = await signalled;
  // A second signal while draining means "now".
  process.once(signal, () => process.exit(1));
  logger.info({ signal }, 'signal received');
  await server.close();
  return 0;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`x-serve: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
