/**
 * @x/tracing: journey tracing for x-llm. Per-request OpenTelemetry spans
 * (`llm_request` from the server's request hooks, `llm_core` from the
 * scheduler's lifecycle hooks, linked by W3C Trace Context) and optional
 * per-step `llm_step` spans. The only package of the workspace that depends
 * on OpenTelemetry.
 * @module
 */
export { createJourneyTracing, type JourneyTracing } from './create-journey-tracing.js';
export {
  createTracerProvider,
  resolveTracesEndpoint,
  type TracerProviderSetup,
} from './create-tracer-provider.js';
export type { ExportOptions, JourneyTracingOptions, StepTracingOptions } from './options.js';
export { debugLogger, type TracingLogger } from './fail-open.js';
export { FailOpenExporter } from './fail-open-exporter.js';
export {
  API_ATTR,
  API_EVENT,
  API_SCOPE,
  CORE_SCOPE,
  GEN_AI,
  HEADER,
  JOURNEY_ATTR,
  JOURNEY_EVENT,
  SPAN,
  STEP_ATTR,
  STEP_EVENT,
} from './names.js';
export type {
  ServerPlugin,
  ServerRequestInfo,
  ServerRequestParams,
  ServerRequestResult,
  TraceHeaderWriter,
} from './server-hooks.js';
