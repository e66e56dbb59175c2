import { ExportTraceServiceRequest } from './internal/schema.js';

/** An attribute value as carried by OTLP `AnyValue`. 64-bit integers are decoded as numbers
 * when they fit in a double exactly, else as `bigint`. */
export type OtlpValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | OtlpValue[]
  | { [key: string]: OtlpValue };

/** Attributes as a plain object; later duplicates of a key win, as in the OTel SDKs. */
export type OtlpAttributes = Record<string, OtlpValue>;

/** One span event. */
export interface OtlpEvent {
  /** Event name. */
  name: string;
  /** Time in nanoseconds since the Unix epoch. */
  timeUnixNano: bigint;
  /** Event attributes. */
  attributes: OtlpAttributes;
}

/** One span link. */
export interface OtlpLink {
  /** Linked trace id, lower-case hex. */
  traceId: string;
  /** Linked span id, lower-case hex. */
  spanId: string;
  /** W3C trace state of the linked span context. */
  traceState: string;
  /** Link attributes. */
  attributes: OtlpAttributes;
}

/** One decoded span, flattened with its resource and scope. */
export interface OtlpSpan {
  /** Trace id as lower-case hex (32 characters when valid). */
  traceId: string;
  /** Span id as lower-case hex (16 characters when valid). */
  spanId: string;
  /** Parent span id as lower-case hex, or `undefined` for a root span. */
  parentSpanId: string | undefined;
  /** W3C trace state string. */
  traceState: string;
  /** Span name. */
  name: string;
  /** OTLP span kind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Start in nanoseconds since the Unix epoch. */
  startTimeUnixNano: bigint;
  /** End in nanoseconds since the Unix epoch. */
  endTimeUnixNano: bigint;
  /** Span attributes. */
  attributes: OtlpAttributes;
  /** Span events. */
  events: OtlpEvent[];
  /** Span links. */
  links: OtlpLink[];
  /** Status: code 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  /** Attributes of the span's Resource. */
  resource: OtlpAttributes;
  /** Instrumentation scope. */
  scope: { name: string; version: string };
  /** Counts the sender reported as dropped. */
  dropped: { attributes: number; events: number; links: number };
}

/** The result of decoding one `ExportTraceServiceRequest`. */
export interface DecodedTraceRequest {
  /** Every span in the request, in wire order. */
  spans: OtlpSpan[];
  /** How many strings held invalid UTF-8 and were repaired with U+FFFD. */
  repairedStrings: number;
}

/** Thrown when the bytes are not a decodable `ExportTraceServiceRequest`. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';

  constructor(message: string) {
    super(message);
    Object.defineProperty(this, DECODE_ERROR_MARK, { value: true });
  }

  /** True for an `OtlpDecodeError` from any installed copy of this package. */
  static isInstance(value: unknown): value is OtlpDecodeError {
    return typeof value === 'object' && value !== null && DECODE_ERROR_MARK in value;
  }
}

const DECODE_ERROR_MARK = Symbol.for('galileo-otel.OtlpDecodeError');

interface RawKeyValue {
  key?: Uint8Array;
  value?: RawAnyValue;
}
interface RawAnyValue {
  value?: string;
  stringValue?: Uint8Array;
  boolValue?: boolean;
  intValue?: unknown;
  doubleValue?: number;
  arrayValue?: { values?: RawAnyValue[] };
  kvlistValue?: { values?: RawKeyValue[] };
  bytesValue?: Uint8Array;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class Reader {
  repaired = 0;

  text(bytes: Uint8Array | undefined): string {
    if (!bytes || bytes.length === 0) return '';
    try {
      return strictUtf8.decode(bytes);
    } catch {
      this.repaired++;
      return lenientUtf8.decode(bytes);
    }
  }

  value(v: RawAnyValue | undefined): OtlpValue {
    // protobufjs keeps field defaults on the prototype; the oneof's virtual `value` property
    // names the member that was actually on the wire.
    switch (v?.value) {
      case 'stringValue':
        return this.text(v.stringValue);
      case 'boolValue':
        return v.boolValue ?? false;
      case 'intValue':
        return toInteger(v.intValue);
      case 'doubleValue':
        return v.doubleValue ?? 0;
      case 'arrayValue':
        return (v.arrayValue?.values ?? []).map((x) => this.value(x));
      case 'kvlistValue':
        return this.attributes(v.kvlistValue?.values);
      case 'bytesValue':
        return v.bytesValue ?? new Uint8Array();
      default:
        return null;
    }
  }

  attributes(list: RawKeyValue[] | undefined): OtlpAttributes {
    const out: OtlpAttributes = {};
    for (const kv of list ?? []) out[this.text(kv.key)] = this.value(kv.value);
    return out;
  }
}

function toInteger(raw: unknown): number | bigint {
  if (typeof raw === 'number') return raw;
  const big = toBigInt(raw);
  return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big;
}

function toBigInt(raw: unknown): bigint {
  if (raw === undefined || raw === null) return 0n;
  if (typeof raw === 'number') return BigInt(Math.trunc(raw));
  if (typeof raw === 'bigint') return raw;
  // protobufjs yields `Long` objects for 64-bit fields.
  const long = raw as { low: number; high: number; unsigned: boolean };
  const value = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
  return !long.unsigned && long.high < 0 ? value - (1n << 64n) : value;
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes).toString('hex') : '';
}

/**
 * Decodes the body of an OTLP/HTTP protobuf trace export (`ExportTraceServiceRequest`).
 *
 * @throws {OtlpDecodeError} when the bytes are not a valid request.
 */
export function decodeTraceRequest(body: Uint8Array): DecodedTraceRequest {
  // biome-ignore lint/suspicious/noExplicitAny: protobufjs messages are untyped
  let message: any;
  try {
    message = ExportTraceServiceRequest.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`not an OTLP ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  const reader = new Reader();
  const spans: OtlpSpan[] = [];
  for (const rs of message.resourceSpans ?? []) {
    const resource = reader.attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: reader.text(ss.scope?.name), version: reader.text(ss.scope?.version) };
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId) || undefined,
          traceState: reader.text(s.traceState),
          name: reader.text(s.name),
          kind: s.kind ?? 0,
          startTimeUnixNano: toBigInt(s.startTimeUnixNano),
          endTimeUnixNano: toBigInt(s.endTimeUnixNano),
          attributes: reader.attributes(s.attributes),
          events: (s.events ?? []).map(
            (e: { name?: Uint8Array; timeUnixNano?: unknown; attributes?: RawKeyValue[] }) => ({
              name: reader.text(e.name),
              timeUnixNano: toBigInt(e.timeUnixNano),
              attributes: reader.attributes(e.attributes),
            }),
          ),
          links: (s.links ?? []).map(
            (l: {
              traceId?: Uint8Array;
              spanId?: Uint8Array;
              traceState?: Uint8Array;
              attributes?: RawKeyValue[];
            }) => ({
              traceId: hex(l.traceId),
              spanId: hex(l.spanId),
              traceState: reader.text(l.traceState),
              attributes: reader.attributes(l.attributes),
            }),
          ),
          status: { code: s.status?.code ?? 0, message: reader.text(s.status?.message) },
          resource,
          scope,
          dropped: {
            attributes: s.droppedAttributesCount ?? 0,
            events: s.droppedEventsCount ?? 0,
            links: s.droppedLinksCount ?? 0,
          },
        });
      }
    }
  }
  return { spans, repairedStrings: reader.repaired };
}
