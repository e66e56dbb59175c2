import { decodeTraceRequest } from '@galileo-otel/otlp-proto';
import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanLimits,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedKeyCount, encodeTraceRequest } from './encode-trace-request.js';

// The OTLP trace request with the field types of opentelemetry-proto (collector/trace/v1,
// trace/v1, common/v1, resource/v1), so every field OTel writes is decoded and compared.
const Request = protobuf
  .parse(`
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message Status { string message = 2; int32 code = 3; }
message Event {
  fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Link {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5; fixed32 flags = 6;
}
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14;
  Status status = 15; fixed32 flags = 16;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`)
  .root.lookupType('ExportTraceServiceRequest');

/** Every field, defaults included, with 64-bit numbers and bytes as strings (NaN stays NaN). */
function fullDecode(bytes: Uint8Array): unknown {
  return Request.toObject(Request.decode(bytes), {
    longs: String,
    bytes: String,
    defaults: true,
    arrays: true,
    oneofs: true,
  });
}

function otel(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('the OTel serializer gave no bytes');
  return bytes;
}

/** The first offset where two byte arrays differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * OTel's request as proto3 encodes it: decoded by the schema and encoded again by protobufjs,
 * which leaves off every field that has no presence of its own and holds its default (a zero
 * count, an UNSET status code, an empty name), where OTel JS writes the zero.
 */
function proto3(bytes: Uint8Array): Uint8Array {
  return Request.encode(Request.decode(bytes)).finish();
}

/**
 * Asserts the contract: both decodings equal OTel's, and (stronger) the very bytes of OTel's
 * request in proto3's own encoding.
 */
function expectSameRequest(spans: ReadableSpan[]): void {
  const theirs = otel(spans);
  const mine = encodeTraceRequest(spans);
  expect(mine).toBeInstanceOf(Uint8Array);
  expect(fullDecode(mine)).toEqual(fullDecode(theirs));
  expect(decodeTraceRequest(mine)).toEqual(decodeTraceRequest(theirs));
  expect(firstDifference(mine, proto3(theirs))).toBe(-1);
}

/** A seeded generator, so every run builds the same spans. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let t = s ^ (s >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return ((t ^ (t >>> 15)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  const hex = (bytes: number) =>
    Array.from({ length: bytes }, () => int(256).toString(16).padStart(2, '0')).join('');
  return { next, int, pick, hex };
}

const STRINGS = [
  '',
  'a',
  'gpt-4.1-mini',
  'x'.repeat(23),
  'x'.repeat(24),
  'x'.repeat(42),
  'x'.repeat(43),
  'y'.repeat(127),
  'y'.repeat(128),
  'z'.repeat(5461),
  'w'.repeat(16_384),
  'long text '.repeat(7_000),
  'héllo wörld',
  'ü'.repeat(64),
  '日本語のテキスト',
  '中'.repeat(43),
  'emoji 🚀 rocket 👩‍💻',
  '🚀'.repeat(30),
  'lone high \ud800 surrogate',
  'lone low \udc00 surrogate',
  'ends on a high surrogate \ud83d',
  '\ud83d',
  '\u0000 nul and \u007f del',
  `mixed ${'a'.repeat(20)}é${'b'.repeat(200)}`,
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  127,
  128,
  300,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  -(2 ** 32),
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 53,
  2 ** 62,
  2 ** 63 - 2048,
  2 ** 63,
  -(2 ** 63),
  -(2 ** 63) - 4096,
  2 ** 64,
  1e300,
  -1e300,
  0.5,
  -1.25,
  Math.PI,
  Number.MIN_VALUE,
  Number.EPSILON,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

const COMPLEX = [
  true,
  false,
  null,
  [],
  ['a', 'b', ''],
  [1, 2, 3.5, -7],
  [true, false],
  ['a', null, 'c'],
  [null],
  ['mixed', 1, true, null, 2.5],
  [['nested', 1], [], [[true]]],
  { kind: 'kvlist', n: 1, f: 0.5, ok: true, none: null, list: [1, 'two'] },
  { deeper: { and: { deeper: ['x', { y: 'z' }] } } },
  {},
  new Uint8Array([]),
  new Uint8Array([0, 1, 2, 255]),
  Buffer.from('bytes from a Buffer'),
  [new Uint8Array([9, 8]), 'and text'],
  { bytes: new Uint8Array([7]) },
  ['y'.repeat(300), 'z'.repeat(20)],
];

const KEYS = [
  'app.key',
  'gen_ai.input.messages',
  'ключ',
  '键',
  'key with spaces',
  '0',
  '10',
  '2',
  `long.${'k'.repeat(300)}`,
  'k'.repeat(130),
];

function attributesOf(r: ReturnType<typeof prng>, count: number): Attributes {
  const attributes: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = i < 3 ? r.pick(KEYS) : `${r.pick(KEYS)}.${i}`;
    const family = r.int(3);
    attributes[key] =
      family === 0 ? r.pick(STRINGS) : family === 1 ? r.pick(NUMBERS) : r.pick(COMPLEX);
  }
  return attributes as Attributes;
}

/** Attributes of the simple kinds only (events and links accept no nested values). */
function simpleAttributesOf(r: ReturnType<typeof prng>, count: number): Attributes {
  const attributes: Attributes = {};
  for (let i = 0; i < count; i++) {
    const family = r.int(4);
    attributes[`e.${i}.${r.pick(KEYS)}`] =
      family === 0
        ? r.pick(STRINGS)
        : family === 1
          ? r.pick(NUMBERS)
          : family === 2
            ? r.next() < 0.5
            : [r.pick(STRINGS), r.pick(STRINGS)];
  }
  return attributes;
}

function remoteContext(r: ReturnType<typeof prng>, isRemote: boolean): SpanContext {
  return {
    traceId: r.hex(16),
    spanId: r.hex(8),
    traceFlags: 1,
    isRemote,
    traceState: r.next() < 0.5 ? new TraceState(`vendor=v${r.int(100)},other=x`) : undefined,
  };
}

const exporter = new InMemorySpanExporter();
const providers: TracerProvider[] = [];
afterAll(() => Promise.all(providers.map((p) => p.shutdown())));

function providerWith(resource: Resource, spanLimits?: SpanLimits): TracerProvider {
  const provider = new TracerProvider({
    resource,
    spanLimits,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  providers.push(provider);
  return provider;
}

const RESOURCES = [
  resourceFromAttributes({ 'service.name': 'svc-a', 'service.version': '1.2.3', pid: 42 }),
  resourceFromAttributes(
    { 'service.name': 'svc-b', 'host.arch': 'amd64', 'list.of': ['x', 'y'], ratio: 0.5 },
    { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
  ),
  resourceFromAttributes({}),
  resourceFromAttributes({ 'service.name': 'ünïcödé 🚀', empty: '' }),
];

/** Real spans from SDK 3 providers, several resources and scopes interleaved in end order. */
function realSpans(seed: number, count: number): ReadableSpan[] {
  exporter.reset();
  const r = prng(seed);
  const tracers: Tracer[] = [];
  for (const [i, resource] of RESOURCES.entries()) {
    const provider = providerWith(
      resource,
      i === 1
        ? { attributeCountLimit: 6, eventCountLimit: 2, linkCountLimit: 1 }
        : i === 2
          ? { attributeValueLengthLimit: 50, attributePerEventCountLimit: 2 }
          : undefined,
    );
    tracers.push(
      provider.getTracer('scope-plain'),
      provider.getTracer('scope-versioned', '2.0.1'),
      provider.getTracer('scope-schema', '3.0.0', { schemaUrl: 'https://example.com/schema/1' }),
      provider.getTracer('scope-schema-only', undefined, { schemaUrl: 'https://example.com/s2' }),
      provider.getTracer('', ''),
    );
  }
  const open: { span: ReturnType<Tracer['startSpan']>; context: Context }[] = [];
  const kinds = [
    SpanKind.INTERNAL,
    SpanKind.SERVER,
    SpanKind.CLIENT,
    SpanKind.PRODUCER,
    SpanKind.CONSUMER,
  ];
  for (let i = 0; i < count; i++) {
    const tracer = r.pick(tracers);
    const parentChoice = r.int(4);
    let parent: Context = ROOT_CONTEXT;
    if (parentChoice === 1 && open.length > 0) parent = r.pick(open).context;
    else if (parentChoice === 2)
      parent = trace.setSpanContext(ROOT_CONTEXT, remoteContext(r, true));
    else if (parentChoice === 3)
      parent = trace.setSpanContext(ROOT_CONTEXT, remoteContext(r, false));
    const links: Link[] = [];
    for (let l = r.int(4); l > 0; l--) {
      links.push({
        context: remoteContext(r, r.next() < 0.5),
        attributes: r.next() < 0.6 ? simpleAttributesOf(r, r.int(4)) : undefined,
      });
    }
    // Times from the epoch to far in the future, whole and fractional milliseconds.
    const startMs = r.pick([0, 1, 1.5, 1_700_000_000_123.456, 4_102_444_800_000, Date.now()]);
    const span = tracer.startSpan(
      r.pick(['', 'chat gpt-4.1-mini', 'invoke_agent 研究者', 'x'.repeat(200), `span ${i}`]),
      {
        kind: r.next() < 0.2 ? undefined : r.pick(kinds),
        attributes: attributesOf(r, r.int(12)),
        links,
        startTime: r.next() < 0.7 ? startMs : undefined,
      },
      parent,
    );
    for (let e = r.int(4); e > 0; e--) {
      const attributes = r.next() < 0.6 ? simpleAttributesOf(r, 1 + r.int(4)) : undefined;
      if (r.next() < 0.5) span.addEvent(r.pick(STRINGS), attributes, startMs + e);
      else span.addEvent(r.pick(['exception', 'ü-event', '']), attributes);
    }
    if (r.next() < 0.3) span.addLink({ context: remoteContext(r, false) });
    const status = r.int(5);
    if (status === 1) span.setStatus({ code: SpanStatusCode.OK });
    else if (status === 2) span.setStatus({ code: SpanStatusCode.ERROR });
    else if (status === 3) span.setStatus({ code: SpanStatusCode.ERROR, message: r.pick(STRINGS) });
    else if (status === 4) span.setStatus({ code: SpanStatusCode.UNSET, message: 'ignored' });
    if (r.next() < 0.5) {
      open.push({ span, context: trace.setSpan(ROOT_CONTEXT, span) });
    } else span.end(r.next() < 0.5 ? startMs + r.next() * 1000 : undefined);
    // Close some open spans out of order, so parents end after children and in mixed order.
    if (open.length > 4 || (open.length > 0 && r.next() < 0.3)) {
      open.splice(r.int(open.length), 1)[0]?.span.end();
    }
  }
  for (const { span } of open) span.end();
  return exporter.getFinishedSpans();
}

describe('encodeTraceRequest', () => {
  const spans = realSpans(1, 400);

  it('builds a wide set of real spans (the shapes the equivalence check covers)', () => {
    expect(spans.length).toBe(400);
    expect(new Set(spans.map((s) => s.resource)).size).toBe(RESOURCES.length);
    expect(new Set(spans.map((s) => s.instrumentationScope)).size).toBe(20);
    expect(spans.some((s) => s.parentSpanContext?.isRemote)).toBe(true);
    expect(spans.some((s) => s.parentSpanContext && !s.parentSpanContext.isRemote)).toBe(true);
    expect(spans.some((s) => !s.parentSpanContext)).toBe(true);
    expect(spans.some((s) => s.spanContext().traceState)).toBe(true);
    expect(spans.some((s) => s.droppedAttributesCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedEventsCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedLinksCount > 0)).toBe(true);
    expect(spans.some((s) => s.events.some((e) => (e.droppedAttributesCount ?? 0) > 0))).toBe(true);
    expect(spans.some((s) => s.links.some((l) => l.context.traceState))).toBe(true);
    expect(new Set(spans.map((s) => s.status.code)).size).toBe(3);
    expect(new Set(spans.map((s) => s.kind)).size).toBe(5);
    const values = spans.flatMap((s) => Object.values(s.attributes));
    expect(values.some((v) => v instanceof Uint8Array)).toBe(true);
    expect(values.some((v) => v === null)).toBe(true);
    expect(values.some((v) => Number.isNaN(v))).toBe(true);
    expect(values.some((v) => typeof v === 'object' && v && !Array.isArray(v))).toBe(true);
  });

  it('writes the same request as the OTel serializer for one big interleaved batch', () => {
    expectSameRequest(spans);
  });

  it('writes the same request for every span alone and for batches of every size', () => {
    for (const span of spans) expectSameRequest([span]);
    const r = prng(7);
    for (let start = 0; start < spans.length; ) {
      const size = 1 + r.int(40);
      expectSameRequest(spans.slice(start, start + size));
      start += size;
    }
  });

  it('writes the same request for the same spans in a shuffled order', () => {
    const r = prng(11);
    const shuffled = [...spans];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j] as ReadableSpan, shuffled[i] as ReadableSpan];
    }
    expectSameRequest(shuffled);
  });

  it('writes the same (empty) request for no spans', () => {
    expect(encodeTraceRequest([]).length).toBe(0);
    expectSameRequest([]);
  });

  // Comparing requests of every span shape byte by byte took 13 s in a CI run: a bound, not a
  // timing assertion.
  it('writes the same bytes again once keys, resources and scopes come from its caches', () => {
    const first = encodeTraceRequest(spans);
    expect(encodeTraceRequest(spans)).toEqual(first);
    expectSameRequest(spans);
  }, 120_000);

  it('keeps the key cache bounded and correct past its size (thousands of distinct keys)', () => {
    exporter.reset();
    const provider = providerWith(RESOURCES[0] as Resource, { attributeCountLimit: 5000 });
    const tracer = provider.getTracer('many-keys');
    const attributes: Attributes = {};
    for (let i = 0; i < 4500; i++) attributes[`key.number.${i}`] = i % 2 ? `v${i}` : i;
    tracer.startSpan('many keys', { attributes }).end();
    tracer.startSpan('many keys again', { attributes }).end();
    expectSameRequest(exporter.getFinishedSpans());
    expect(cachedKeyCount()).toBeGreaterThan(0);
    expect(cachedKeyCount()).toBeLessThanOrEqual(2048);
    // Long keys are written each time, never kept.
    tracer.startSpan('long key', { attributes: { ['k'.repeat(257)]: 1 } }).end();
    const before = cachedKeyCount();
    expectSameRequest(exporter.getFinishedSpans().slice(-1));
    expect(cachedKeyCount()).toBe(before);
  });

  it('encodes a resource again once its async attributes settle (no stale cache)', async () => {
    let settle: (value: string) => void = () => {};
    const late = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const resource = resourceFromAttributes({ 'service.name': 'late', 'host.id': late });
    // SimpleSpanProcessor holds spans until the resource settles; this processor does not.
    const ended: ReadableSpan[] = [];
    const provider = new TracerProvider({
      resource,
      spanProcessors: [
        {
          onStart: () => {},
          onEnd: (span) => {
            ended.push(span);
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    providers.push(provider);
    provider.getTracer('async-resource').startSpan('before').end();
    expect(ended[0]?.resource).toBe(resource);
    expect(resource.asyncAttributesPending).toBe(true);
    expectSameRequest(ended);
    expect(decodeTraceRequest(encodeTraceRequest(ended)).spans[0]?.resource).toEqual({
      'service.name': 'late',
    });
    settle('host-1');
    await resource.waitForAsyncAttributes?.();
    expect(resource.asyncAttributesPending).toBe(false);
    expectSameRequest(ended);
    expect(decodeTraceRequest(encodeTraceRequest(ended)).spans[0]?.resource).toEqual({
      'service.name': 'late',
      'host.id': 'host-1',
    });
  });

  it('writes the same request for span views of other shapes (as processors build them)', () => {
    const r = prng(23);
    const scopeWithAttributes = {
      name: 'scope-with-attributes',
      version: '1.0.0',
      attributes: { 'scope.attr': 'x', n: 3 },
      droppedAttributesCount: 2,
    };
    class Point {
      x = 1;
      y = 'two';
    }
    const inherited = Object.create({ inheritedKey: 'not exported' });
    inherited.own = 'exported';
    const odd: unknown[] = [
      undefined,
      () => 'function',
      Symbol('symbol'),
      10n,
      new Float64Array([1.5, 2]),
      new Point(),
      // biome-ignore lint/suspicious/noSparseArray: a hole is one of the shapes under test
      [1, , 3],
      [undefined, 'x'],
      { nested: undefined },
      { inherits: inherited },
    ];
    const views: ReadableSpan[] = spans.slice(0, 120).map((span, i) => {
      const context = span.spanContext();
      const variant = i % 8;
      const traceFlags = r.pick([0, 1, 2, 0xff, 0x1ff]);
      const attributes: Record<string, unknown> = { ...span.attributes };
      if (variant === 1) for (const [n, value] of odd.entries()) attributes[`odd.${n}`] = value;
      const view: ReadableSpan = {
        name: span.name,
        kind: variant === 2 ? (undefined as unknown as SpanKind) : span.kind,
        spanContext: () =>
          variant === 3
            ? { ...context, traceFlags }
            : variant === 4
              ? { ...context, traceId: context.traceId.toUpperCase() }
              : context,
        parentSpanContext:
          variant === 5 && span.parentSpanContext
            ? { ...span.parentSpanContext, isRemote: undefined }
            : span.parentSpanContext,
        startTime: span.startTime,
        endTime: span.endTime,
        status: variant === 6 ? { code: SpanStatusCode.ERROR, message: undefined } : span.status,
        attributes: (variant === 7 ? inherited : attributes) as Attributes,
        links:
          variant === 6
            ? span.links.map((l) => ({ context: l.context, attributes: undefined }))
            : span.links,
        events:
          variant === 6
            ? span.events.map((e) => ({ name: e.name, time: e.time, attributes: undefined }))
            : span.events,
        duration: span.duration,
        ended: true,
        resource: span.resource,
        instrumentationScope: i % 3 === 0 ? scopeWithAttributes : span.instrumentationScope,
        droppedAttributesCount: span.droppedAttributesCount,
        droppedEventsCount: span.droppedEventsCount,
        droppedLinksCount: span.droppedLinksCount,
      };
      return view;
    });
    for (const view of views) expectSameRequest([view]);
    expectSameRequest(views);
  });

  it('leaves zero counts and UNSET status codes off: 8 bytes a span less than OTel JS', () => {
    exporter.reset();
    const tracer = providerWith(resourceFromAttributes({ 'service.name': 'svc' })).getTracer('t');
    for (let i = 0; i < 10; i++) tracer.startSpan(`span ${i}`, { attributes: { i } }).end();
    const ten = exporter.getFinishedSpans();
    const theirs = otel(ten);
    const mine = encodeTraceRequest(ten);
    // Per span three dropped counts and the status code, 2 bytes each; per Resource, its count.
    expect(theirs.length - mine.length).toBe(10 * 8 + 2);
    expect(fullDecode(mine)).toEqual(fullDecode(theirs));
    const decoded = Request.toObject(Request.decode(mine)) as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const first = decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    // The Status message is on the wire, empty, as in OTel's request; the counts are not.
    expect(first?.status).toEqual({});
    expect(first).not.toHaveProperty('droppedAttributesCount');
    // A time of 0 ns is left off too; 500 ns is not.
    const base = ten[0] as ReadableSpan;
    const atEpoch: ReadableSpan = {
      ...base,
      spanContext: () => base.spanContext(),
      startTime: [0, 0],
      endTime: [0, 500],
      events: [{ name: 'e', time: [0, 0] }],
    };
    expectSameRequest([atEpoch]);
    // And a count or a status that is set is written as before.
    const failed = tracer.startSpan('failed');
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    expectSameRequest(exporter.getFinishedSpans().slice(-1));
    expect(
      decodeTraceRequest(encodeTraceRequest(exporter.getFinishedSpans().slice(-1))).spans[0]
        ?.status,
    ).toEqual({
      code: SpanStatusCode.ERROR,
      message: '',
    });
  });

  it('writes a number where a string belongs as an empty string, as the OTel serializer does', () => {
    const span = spans[0] as ReadableSpan;
    const spanContext = () => span.spanContext();
    const numbered = {
      ...span,
      spanContext,
      name: 42,
      status: { code: SpanStatusCode.ERROR, message: 7 },
      events: [{ name: 3, time: span.startTime }],
    } as unknown as ReadableSpan;
    expectSameRequest([numbered]);
    // Where OTel JS throws (a missing name), the request is still written.
    const unnamed = { ...span, spanContext, name: undefined } as unknown as ReadableSpan;
    expect(() => otel([unnamed])).toThrow(TypeError);
    expect(decodeTraceRequest(encodeTraceRequest([unnamed])).spans[0]?.name).toBe('');
  });

  it('writes malformed ids (odd length, upper case, not hex, empty) as the OTel serializer does', () => {
    const span = spans[0] as ReadableSpan;
    const ids: [traceId: string, spanId: string][] = [
      ['ABCDEF0123456789abcdef0123456789', 'abc'],
      ['not hex at all!', 'zz-y'],
      ['', ''],
      ['0'.repeat(300), '1'],
    ];
    for (const [traceId, spanId] of ids) {
      const bad: ReadableSpan = {
        ...span,
        spanContext: () => ({ ...span.spanContext(), traceId, spanId }),
      };
      expectSameRequest([bad]);
    }
  });
});
