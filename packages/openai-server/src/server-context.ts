/**
 * What the routes share: the engine, the served model names, the chat
 * template, metrics and limits. Built once by `createApp`.
 * @module
 */
import type { AsyncEngine, ChatTemplate } from '@x/engine';
import { notFound } from './errors.js';
import type { TokenText } from './format/logprobs.js';
import type { StreamLimits } from './generation/sse-body.js';
import type { ServerMetrics } from './metrics/server-metrics.js';

/** The routes' shared state. */
export interface ServerContext {
  readonly engine: AsyncEngine;
  /** The names the model answers to; the first is reported in responses and metrics. */
  readonly modelNames: readonly string[];
  readonly template: ChatTemplate;
  readonly tokenText: TokenText;
  readonly metrics: ServerMetrics;
  /** Most sequences waiting in the engine's queue before new requests get 503 (see `admit`). */
  readonly maxPendingRequests: number;
  /** How much of a stream may wait for a client that does not read it. */
  readonly streamLimits: StreamLimits;
  /** The package version, for `/version`. */
  readonly version: string;
  /** Unix seconds at start-up, for `/v1/models`. */
  readonly createdAt: number;
}

/** The served name a request's `model` refers to (the first when omitted); 404 for any other. */
export function resolveModel(ctx: ServerContext, requested: string | undefined): string {
  if (requested === undefined) return ctx.modelNames[0]!;
  if (ctx.modelNames.includes(requested)) return requested;
  throw notFound(`The model \`${requested}\` does not exist.`);
}
