/**
 * A span exporter decorator that turns every failure of the exporter it
 * wraps (a throw, or a failed result: connection refused, timeout, HTTP 500)
 * into a failed result plus one debug line, so nothing an exporter does can
 * reach the request path.
 * @module
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { FailOpen } from './fail-open.js';

/** Wraps `exporter`; failures go to `failOpen` (once). */
export class FailOpenExporter implements SpanExporter {
  readonly #exporter: SpanExporter;
  readonly #failOpen: FailOpen;

  constructor(exporter: SpanExporter, failOpen: FailOpen) {
    this.#exporter = exporter;
    this.#failOpen = failOpen;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.#exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) this.#failOpen.report('span export', result.error);
        resultCallback(result);
      });
    } catch (error) {
      this.#failOpen.report('span export', error);
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : undefined });
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.#exporter.shutdown();
    } catch (error) {
      this.#failOpen.report('exporter shutdown', error);
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.#exporter.forceFlush?.();
    } catch (error) {
      this.#failOpen.report('exporter flush', error);
    }
  }
}
