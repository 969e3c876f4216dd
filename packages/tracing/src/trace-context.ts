/**
 * W3C Trace Context between the two layers: the API span's context goes out
 * as `traceparent`/`tracestate` in the request's trace headers, and the core
 * span's parent comes back from them. Also reads the sampling header.
 * @module
 */
import { ROOT_CONTEXT, type Context, type Span, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HEADER } from './names.js';

type Headers = Readonly<Record<string, string>>;

const propagator = new W3CTraceContextPropagator();

const getter = {
  get: (carrier: Headers, key: string) => carrier[key],
  keys: (carrier: Headers) => Object.keys(carrier),
};

/** The parent context carried by `headers` (ROOT_CONTEXT when there is none or it is malformed). */
export function extractParent(headers: Headers | undefined): Context {
  if (headers === undefined || headers[HEADER.traceparent] === undefined) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, headers, getter);
}

/** The `traceparent` (and `tracestate`, if any) that make `span` the parent of what carries them. */
export function contextHeaders(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
    set: (c: Record<string, string>, key: string, value: string) => {
      c[key] = value;
    },
  });
  return carrier;
}

/** The API layer's decision from `x-journey-sampled`: true, false, or undefined when absent or unreadable. */
export function sampledHeader(headers: Headers | undefined): boolean | undefined {
  const value = headers?.[HEADER.sampled];
  if (value === '1') return true;
  if (value === '0') return false;
  return undefined;
}
