/**
 * Options of {@link createJourneyTracing}, validated once up front so the hooks
 * never re-check them.
 * @module
 */
import type { TracerProvider } from '@opentelemetry/api';
import type { TracingLogger } from './fail-open.js';

/** Per-step summaries (`llm_step` spans). */
export interface StepTracingOptions {
  /** Default false. */
  readonly enabled?: boolean;
  /** Fraction of steps summarised, in [0, 1]; default 1. */
  readonly sampleRate?: number;
  /** Fraction of summarised steps that also list every running request, in [0, 1]; default 0. */
  readonly richSubsampleRate?: number;
}

/** Where spans go: a provider you built, or an OTLP/HTTP endpoint for {@link createTracerProvider}. */
export interface ExportOptions {
  /**
   * Spans are made by this provider's tracers. It should sample everything
   * (AlwaysOn): the plugin makes the sampling decision itself. When given, the
   * endpoint options are ignored and `shutdown()` only flushes it.
   */
  readonly tracerProvider?: TracerProvider;
  /** OTLP/HTTP traces URL (default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, then `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`). */
  readonly endpoint?: string;
  /** `service.name`, over the environment (default: `OTEL_SERVICE_NAME`, then `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, then `defaultServiceName`). */
  readonly serviceName?: string;
  /** The name when neither `serviceName` nor the environment gives one; default `x-llm`. */
  readonly defaultServiceName?: string;
  /** `service.instance.id` (default: the one in `OTEL_RESOURCE_ATTRIBUTES`, else a random UUID per provider). */
  readonly serviceInstanceId?: string;
}

/** Everything {@link createJourneyTracing} takes. */
export interface JourneyTracingOptions extends ExportOptions {
  /** Fraction of requests traced, decided once per request by the API layer; default 1. */
  readonly sampleRate?: number;
  /** Step tracing; off by default. */
  readonly stepTracing?: StepTracingOptions;
  /** Where the plugin's own failures go (once each); default `NODE_DEBUG=x-tracing`. */
  readonly logger?: TracingLogger;
  /** Uniform [0, 1) source for the sampling decisions; default `Math.random` (tests pass a seeded one). */
  readonly random?: () => number;
}

/** Options with defaults filled in and rates checked. */
export interface ResolvedSampling {
  readonly sampleRate: number;
  readonly stepEnabled: boolean;
  readonly stepSampleRate: number;
  readonly richSubsampleRate: number;
  readonly random: () => number;
}

/** Fills defaults and throws a RangeError naming the option when a rate is not in [0, 1]. */
export function resolveSampling(options: JourneyTracingOptions): ResolvedSampling {
  const step = options.stepTracing ?? {};
  return {
    sampleRate: checkRate(options.sampleRate ?? 1, 'sampleRate'),
    stepEnabled: step.enabled ?? false,
    stepSampleRate: checkRate(step.sampleRate ?? 1, 'stepTracing.sampleRate'),
    richSubsampleRate: checkRate(step.richSubsampleRate ?? 0, 'stepTracing.richSubsampleRate'),
    random: options.random ?? Math.random,
  };
}

/** `rate` if it is a number in [0, 1]; otherwise a RangeError naming `name`. */
export function checkRate(rate: number, name: string): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new RangeError(`${name} must be a number in [0, 1] (got ${String(rate)})`);
  }
  return rate;
}

/** Bernoulli(rate) draws; 0 and 1 never call `random`. */
export function rateSampler(rate: number, random: () => number): () => boolean {
  if (rate >= 1) return () => true;
  if (rate <= 0) return () => false;
  return () => random() < rate;
}
