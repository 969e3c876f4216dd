/**
 * The composition root: one call builds the server plugin (API spans), the
 * scheduler plugin (core spans and, if enabled, step spans) and the shutdown
 * that ends whatever is still open and flushes the exporter.
 * @module
 */
import type { TracerProvider } from '@opentelemetry/api';
import type { SchedulerPlugin } from '@x/scheduler';
import { ApiSpans } from './api-spans.js';
import { createTracerProvider } from './create-tracer-provider.js';
import { debugLogger, FailOpen } from './fail-open.js';
import { JourneySpans } from './journey-spans.js';
import { API_SCOPE, CORE_SCOPE } from './names.js';
import { rateSampler, resolveSampling, type JourneyTracingOptions } from './options.js';
import type { ServerPlugin } from './server-hooks.js';
import { StepSpans } from './step-spans.js';

/** What {@link createJourneyTracing} returns. */
export interface JourneyTracing {
  /** Subscribe to the server (`createApp({ plugins: [serverPlugin] })` or its `use`). */
  readonly serverPlugin: ServerPlugin;
  /** Subscribe to the scheduler (`engine.use(schedulerPlugin)`). */
  readonly schedulerPlugin: SchedulerPlugin;
  /** Requests with a span still open (API and core spans counted apart); 0 once all have ended. */
  readonly pendingRequests: number;
  /**
   * Ends every open span, stops tracing new requests, and flushes the
   * exporter, waiting at most `timeoutMs` (default 5000) for it. A provider
   * built from `endpoint` is also shut down. Calling it again returns the same promise.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Anything with the SDK provider's flush and shutdown (the API's TracerProvider has neither). */
interface Flushable {
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}

/** Builds journey tracing (see the package README); throws on a rate outside [0, 1] or a missing endpoint. */
export function createJourneyTracing(options: JourneyTracingOptions = {}): JourneyTracing {
  const sampling = resolveSampling(options);
  const logger = options.logger ?? debugLogger;
  const failOpen = new FailOpen(logger);
  const owned = options.tracerProvider === undefined;
  const provider: TracerProvider =
    options.tracerProvider ??
    createTracerProvider({
      endpoint: options.endpoint,
      serviceName: options.serviceName,
      defaultServiceName: options.defaultServiceName,
      serviceInstanceId: options.serviceInstanceId,
      logger,
    });
  const requestSampler = rateSampler(sampling.sampleRate, sampling.random);
  const api = new ApiSpans({
    tracer: provider.getTracer(API_SCOPE),
    sample: requestSampler,
    announceUnsampled: sampling.sampleRate > 0,
    failOpen,
  });
  const coreTracer = provider.getTracer(CORE_SCOPE);
  const journey = new JourneySpans({ tracer: coreTracer, sample: requestSampler, failOpen });
  const steps = sampling.stepEnabled
    ? new StepSpans({
        tracer: coreTracer,
        sample: rateSampler(sampling.stepSampleRate, sampling.random),
        rich: rateSampler(sampling.richSubsampleRate, sampling.random),
        spanContextOf: (id) => journey.spanContext(id),
        failOpen,
      })
    : undefined;

  let done: Promise<void> | undefined;
  return {
    serverPlugin: api,
    schedulerPlugin: schedulerPlugin(journey, steps),
    get pendingRequests() {
      return api.pending + journey.pending;
    },
    shutdown(timeoutMs = 5000) {
      done ??= (async () => {
        api.close();
        journey.close();
        const flushable = provider as Flushable;
        const flush = owned ? flushable.shutdown?.() : flushable.forceFlush?.();
        await withTimeout(flush, timeoutMs).catch((error: unknown) => failOpen.report('flush', error));
      })();
      return done;
    },
  };
}

/** The scheduler-facing plugin; `onStep` only exists when step tracing is on, so the step hook stays unsubscribed otherwise. */
function schedulerPlugin(journey: JourneySpans, steps: StepSpans | undefined): SchedulerPlugin {
  const plugin: SchedulerPlugin = {
    name: '@x/tracing',
    onQueued: (request, progress) => journey.onQueued(request, progress),
    onScheduled: (request, kind, progress) => journey.onScheduled(request, kind, progress),
    onFirstToken: (request, progress) => journey.onFirstToken(request, progress),
    onPreempted: (request, progress) => journey.onPreempted(request, progress),
    onFinished: (request, status, progress) => journey.onFinished(request, status, progress),
  };
  return steps === undefined ? plugin : { ...plugin, onStep: (step) => steps.onStep(step) };
}

/** Resolves when `promise` settles or after `ms`, whichever is first (a hung exporter must not hang shutdown). */
async function withTimeout(promise: Promise<void> | undefined, ms: number): Promise<void> {
  if (promise === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
