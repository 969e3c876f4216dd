/**
 * The OTLP-JSON trace format, as much of it as the viewer reads: export
 * requests (one document, an array, or JSON lines as the Collector's file
 * exporter writes them), their spans, and typed attribute values (integers
 * may be JSON numbers or, in proto3's JSON mapping, strings).
 * @module
 */

/** The file is not an OTLP-JSON trace export. */
export class OtlpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpParseError';
  }
}

/** Attribute values by key. */
export type Attributes = Record<string, unknown>;

/** An OTLP span, as much of it as the reader uses. */
export interface OtlpSpan {
  readonly traceId?: string;
  readonly spanId?: string;
  readonly parentSpanId?: string;
  readonly name?: string;
  readonly startTimeUnixNano?: string | number;
  readonly endTimeUnixNano?: string | number;
  readonly attributes?: readonly OtlpKeyValue[];
  readonly events?: readonly {
    name?: string;
    timeUnixNano?: string | number;
    attributes?: readonly OtlpKeyValue[];
  }[];
}

export interface OtlpKeyValue {
  readonly key: string;
  readonly value?: OtlpAnyValue;
}

export interface OtlpAnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: string | number;
  readonly doubleValue?: string | number;
  readonly arrayValue?: { values?: readonly OtlpAnyValue[] };
}

/** Every span of the export requests in `text`; throws {@link OtlpParseError} when it holds none. */
export function otlpSpans(text: string): OtlpSpan[] {
  return spansOf(documentsOf(text));
}

/** The export requests in `text`: one JSON document, an array of them, or JSON lines. */
function documentsOf(text: string): unknown[] {
  let docs: unknown[];
  try {
    const whole: unknown = JSON.parse(text);
    docs = Array.isArray(whole) ? whole : [whole];
  } catch {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    docs = lines.map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw new OtlpParseError(`not JSON (line ${i + 1}: ${(error as Error).message})`);
      }
    });
  }
  if (!docs.some((doc) => Array.isArray((doc as { resourceSpans?: unknown } | null)?.resourceSpans))) {
    throw new OtlpParseError('no "resourceSpans": this is not an OTLP-JSON trace export');
  }
  return docs;
}

function spansOf(docs: readonly unknown[]): OtlpSpan[] {
  type Doc = { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
  return docs.flatMap((doc) =>
    ((doc as Doc | null)?.resourceSpans ?? []).flatMap((rs) =>
      (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []),
    ),
  );
}

/**
 * OTLP-JSON times are nanosecond strings (or numbers); the viewer uses
 * fractional ms. A string is split so that its 19 digits keep their precision.
 */
export function nanosToMs(nanos: string | number | undefined): number {
  if (nanos === undefined) return 0;
  if (typeof nanos === 'number' || nanos.length <= 6) return Number(nanos) / 1e6;
  return Number(nanos.slice(0, -6)) + Number(nanos.slice(-6)) / 1e6;
}

/** Attributes as plain values. */
export function attributesOf(list: readonly OtlpKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list ?? []) if (value !== undefined) out[key] = valueOf(value);
  return out;
}

function valueOf(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}
