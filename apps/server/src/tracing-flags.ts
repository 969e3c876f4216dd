/**
 * Journey tracing for `x-serve`: its flags, and the extension that turns
 * them into the `@x/tracing` plugins. `@x/tracing` (and with it
 * OpenTelemetry) is loaded only when `--enable-journey-tracing` is given,
 * so the server runs unchanged without the package.
 * @module
 */
import type * as Tracing from '@x/tracing';
import { InvalidArgumentError } from 'commander';
import type { ServerExtension } from './extensions.js';
import { boolean, type Parser } from './parsers.js';
import { ConfigError, type ResolvedOptions } from './resolve-config.js';

/** A fraction in [0, 1]. */
const rate: Parser<number> = (text) => {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`expected a rate in [0, 1], got "${text}"`);
  }
  return value;
};

/** An http(s) URL. */
const httpUrl: Parser<string> = (text) => {
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
    throw new InvalidArgumentError(`expected an http(s) URL, got "${text}"`);
  }
  return text;
};

/** `--enable-journey-tracing` and friends (vLLM's `--otlp-traces-endpoint`). */
export const journeyTracing: ServerExtension = {
  name: 'journey-tracing',
  options: [
    {
      name: 'enable-journey-tracing',
      description: 'per-request OpenTelemetry spans (llm_request, llm_core) exported over OTLP/HTTP',
      parse: boolean,
      default: false,
    },
    {
      name: 'otlp-traces-endpoint',
      value: '<url>',
      description:
        'OTLP/HTTP protobuf traces URL, e.g. http://localhost:4318/v1/traces ' +
        '(default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces)',
      parse: httpUrl,
    },
    {
      name: 'journey-tracing-sample-rate',
      value: '<rate>',
      description: 'fraction of requests traced, each with both spans or neither',
      parse: rate,
      default: 1,
    },
    {
      name: 'step-tracing-enabled',
      description: 'also an llm_step span per sampled scheduler step (needs --enable-journey-tracing)',
      parse: boolean,
      default: false,
    },
    {
      name: 'step-tracing-sample-rate',
      value: '<rate>',
      description: 'fraction of steps summarised',
      parse: rate,
      default: 1,
    },
    {
      name: 'step-tracing-rich-subsample-rate',
      value: '<rate>',
      description: 'fraction of summarised steps that also list every running request',
      parse: rate,
      default: 0,
    },
  ],
  async activate(options: ResolvedOptions) {
    if (!options.enableJourneyTracing) {
      if (options.stepTracingEnabled)
        throw new ConfigError('--step-tracing-enabled needs --enable-journey-tracing');
      return undefined;
    }
    let tracing: typeof Tracing;
    try {
      tracing = await import('@x/tracing');
    } catch (error) {
      throw new ConfigError(
        `--enable-journey-tracing needs the @x/tracing package (${(error as Error).message})`,
      );
    }
    const endpoint = tracing.resolveTracesEndpoint(options.otlpTracesEndpoint as string | undefined);
    if (endpoint === undefined) {
      throw new ConfigError(
        '--enable-journey-tracing needs an OTLP endpoint: --otlp-traces-endpoint <url>, ' +
          'or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT)',
      );
    }
    const journey = tracing.createJourneyTracing({
      endpoint,
      defaultServiceName: 'x-serve',
      sampleRate: options.journeyTracingSampleRate as number,
      stepTracing: {
        enabled: options.stepTracingEnabled as boolean,
        sampleRate: options.stepTracingSampleRate as number,
        richSubsampleRate: options.stepTracingRichSubsampleRate as number,
      },
    });
    return {
      plugins: [journey.serverPlugin],
      schedulerPlugins: [journey.schedulerPlugin],
      close: () => journey.shutdown(),
      summary: () => ({ tracing: withoutCredentials(endpoint) }),
    };
  },
};

/** The endpoint as printed: any user name and password in it left out. */
function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return endpoint;
  }
}
