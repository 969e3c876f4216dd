/**
 * The default export pipeline: an AlwaysOn TracerProvider (the plugin makes
 * the sampling decision) with a BatchSpanProcessor over the OTLP/HTTP
 * protobuf exporter, wrapped so export failures stay off the request path.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
  type Resource,
} from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  TracerProvider,
  type BatchSpanProcessorOptions,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { debugLogger, FailOpen, type TracingLogger } from './fail-open.js';
import { FailOpenExporter } from './fail-open-exporter.js';

/** Options of {@link createTracerProvider}. */
export interface TracerProviderSetup {
  /** OTLP/HTTP traces URL; default from the environment (see {@link resolveTracesEndpoint}). */
  readonly endpoint?: string;
  /** `service.name`, over the environment (default: `OTEL_SERVICE_NAME`, then `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, then `defaultServiceName`). */
  readonly serviceName?: string;
  /** The name when neither `serviceName` nor the environment gives one; default `x-llm`. */
  readonly defaultServiceName?: string;
  /** `service.instance.id` (default: the one in `OTEL_RESOURCE_ATTRIBUTES`, else a random UUID). */
  readonly serviceInstanceId?: string;
  /** Batch processor settings other than the exporter (defaults: the SDK's, 5 s delay, 2048 queue, 512 batch). */
  readonly batch?: Omit<BatchSpanProcessorOptions, 'exporter'>;
  /** Replaces the OTLP exporter (tests, or another backend); it is wrapped all the same. */
  readonly exporter?: SpanExporter;
  /** Where export failures are reported, once; default `NODE_DEBUG=x-tracing`. */
  readonly logger?: TracingLogger;
}

/** Most events a span keeps (the SDK's default of 128 would cut rich step spans short). */
const EVENT_COUNT_LIMIT = 4096;

/**
 * The traces endpoint: `endpoint` if given, else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
 * else `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended; undefined when none is set.
 */
export function resolveTracesEndpoint(
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (endpoint) return endpoint;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** Builds the provider; throws when no exporter is given and no endpoint can be resolved. */
export function createTracerProvider(setup: TracerProviderSetup = {}): TracerProvider {
  const failOpen = new FailOpen(setup.logger ?? debugLogger);
  const exporter = setup.exporter ?? otlpExporter(setup.endpoint);
  return new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanLimits: { eventCountLimit: EVENT_COUNT_LIMIT },
    resource: tracingResource(setup),
    spanProcessors: [
      new BatchSpanProcessor({ ...setup.batch, exporter: new FailOpenExporter(exporter, failOpen) }),
    ],
  });
}

/**
 * The resource every span carries: the setup's names over the standard variables
 * (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`) over defaults. Each process gets its own
 * `service.instance.id`, so replicas of one service stay apart in a shared backend.
 */
export function tracingResource(
  setup: Pick<TracerProviderSetup, 'serviceName' | 'defaultServiceName' | 'serviceInstanceId'> = {},
): Resource {
  const defaults = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: setup.defaultServiceName ?? 'x-llm',
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
    'host.name': hostname(), // the pod or container name: which replica, at a glance
  });
  // Detectors run in order and a later one wins: OTEL_SERVICE_NAME beats a service.name in the attributes.
  const fromEnv = detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] });
  const given = resourceFromAttributes({
    ...(setup.serviceName !== undefined && { [ATTR_SERVICE_NAME]: setup.serviceName }),
    ...(setup.serviceInstanceId !== undefined && { [ATTR_SERVICE_INSTANCE_ID]: setup.serviceInstanceId }),
  });
  return defaults.merge(fromEnv).merge(given);
}

function otlpExporter(endpoint: string | undefined): SpanExporter {
  const url = resolveTracesEndpoint(endpoint);
  if (url === undefined) {
    throw new Error(
      'no OTLP traces endpoint: pass one, or set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT)',
    );
  }
  return new OTLPTraceExporter({ url });
}
