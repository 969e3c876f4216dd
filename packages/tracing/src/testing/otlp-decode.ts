/**
 * A small decoder of OTLP/protobuf `ExportTraceServiceRequest` bodies
 * (opentelemetry/proto/collector/trace/v1), independent of the exporter's own
 * serializer, so end-to-end tests check the bytes on the wire.
 * @module
 */

/** A decoded span, with what the tests look at. */
export interface WireSpan {
  /** The resource's `service.name` (also in `resource`). */
  readonly serviceName: string;
  /** The attributes of the resource that sent the span (`service.instance.id`, …). */
  readonly resource: Record<string, WireValue>;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, WireValue>;
  readonly events: {
    readonly name: string;
    readonly timeNs: bigint;
    readonly attributes: Record<string, WireValue>;
  }[];
  readonly statusCode: number;
}

/** An attribute value, typed as it travelled. */
export type WireValue =
  { string: string } | { bool: boolean } | { int: bigint } | { double: number } | { array: WireValue[] };

interface Field {
  readonly no: number;
  readonly varint?: bigint;
  readonly bytes?: Uint8Array;
  readonly fixed64?: DataView;
}

/** Splits a message into its fields (wire types 0, 1, 2 and 5). */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const type = key & 7;
    if (type === 0) out.push({ no, varint: varint() });
    else if (type === 1) {
      out.push({ no, fixed64: new DataView(buf.buffer, buf.byteOffset + pos, 8) });
      pos += 8;
    } else if (type === 2) {
      const length = Number(varint());
      out.push({ no, bytes: buf.subarray(pos, pos + length) });
      pos += length;
    } else if (type === 5) pos += 4;
    else throw new Error(`unsupported wire type ${type}`);
  }
  return out;
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('hex');
const sub = (fs: Field[], no: number) => fs.filter((f) => f.no === no).map((f) => fields(f.bytes!));
const one = (fs: Field[], no: number) => fs.find((f) => f.no === no);

function value(fs: Field[]): WireValue {
  const f = fs[0];
  if (f === undefined) return { string: '' };
  switch (f.no) {
    case 1:
      return { string: text(f.bytes) };
    case 2:
      return { bool: f.varint === 1n };
    case 3:
      return { int: BigInt.asIntN(64, f.varint!) };
    case 4:
      return { double: f.fixed64!.getFloat64(0, true) };
    case 5:
      return { array: sub(fields(f.bytes!), 1).map(value) };
    default:
      throw new Error(`unsupported AnyValue field ${f.no}`);
  }
}

function attributes(fs: Field[], no: number): Record<string, WireValue> {
  const out: Record<string, WireValue> = {};
  for (const kv of sub(fs, no))
    out[text(one(kv, 1)?.bytes)] = value(fields(one(kv, 2)?.bytes ?? new Uint8Array()));
  return out;
}

const fixed = (f: Field | undefined) => f?.fixed64?.getBigUint64(0, true) ?? 0n;

/** Every span in an ExportTraceServiceRequest body. */
export function decodeTraceRequest(body: Uint8Array): WireSpan[] {
  const spans: WireSpan[] = [];
  for (const resourceSpans of sub(fields(body), 1)) {
    const resource = attributes(sub(resourceSpans, 1)[0] ?? [], 1);
    const service = resource['service.name'];
    const serviceName = service !== undefined && 'string' in service ? service.string : '';
    for (const scopeSpans of sub(resourceSpans, 2)) {
      const scope = text(one(sub(scopeSpans, 1)[0] ?? [], 1)?.bytes);
      for (const s of sub(scopeSpans, 2)) {
        spans.push({
          serviceName,
          resource,
          scope,
          traceId: hex(one(s, 1)?.bytes),
          spanId: hex(one(s, 2)?.bytes),
          parentSpanId: hex(one(s, 4)?.bytes),
          name: text(one(s, 5)?.bytes),
          kind: Number(one(s, 6)?.varint ?? 0n),
          startNs: fixed(one(s, 7)),
          endNs: fixed(one(s, 8)),
          attributes: attributes(s, 9),
          events: sub(s, 11).map((e) => ({
            timeNs: fixed(one(e, 1)),
            name: text(one(e, 2)?.bytes),
            attributes: attributes(e, 3),
          })),
          statusCode: Number(one(sub(s, 15)[0] ?? [], 3)?.varint ?? 0n),
        });
      }
    }
  }
  return spans;
}
