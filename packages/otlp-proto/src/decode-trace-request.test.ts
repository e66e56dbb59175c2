import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest, OtlpDecodeError } from './index.js';

async function recordSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc-a', 'galileo.project.name': 'p1' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('scope-x', '1.2.3');
  tracer.startActiveSpan('parent', (parent) => {
    const child = tracer.startSpan(
      'child',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 12,
          big: 2 ** 40,
          ratio: 0.5,
          flag: true,
          list: ['a', 'b'],
        },
      },
      trace.setSpan(context.active(), parent),
    );
    child.addEvent('first-token', { n: 1 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    parent.end();
  });
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

describe('decodeTraceRequest', () => {
  it('round-trips spans encoded by the official OTLP protobuf serializer', async () => {
    const spans = await recordSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    if (!bytes) throw new Error('serializer returned nothing');
    const { spans: decoded, repairedStrings } = decodeTraceRequest(bytes);
    expect(repairedStrings).toBe(0);
    expect(decoded.map((s) => s.name).sort()).toEqual(['child', 'parent']);
    const child = decoded.find((s) => s.name === 'child');
    const parent = decoded.find((s) => s.name === 'parent');
    expect(child?.parentSpanId).toBe(parent?.spanId);
    expect(parent?.parentSpanId).toBeUndefined();
    expect(child?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(child?.traceId).toBe(spans[0]?.spanContext().traceId);
    expect(child?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 12,
      big: 2 ** 40,
      ratio: 0.5,
      flag: true,
      list: ['a', 'b'],
    });
    expect(child?.status).toEqual({ code: 2, message: 'boom' });
    expect(child?.events[0]?.name).toBe('first-token');
    expect(child?.events[0]?.attributes).toEqual({ n: 1 });
    expect(child?.resource).toMatchObject({
      'service.name': 'svc-a',
      'galileo.project.name': 'p1',
    });
    expect(child?.scope).toEqual({ name: 'scope-x', version: '1.2.3' });
    expect(child && child.endTimeUnixNano >= child.startTimeUnixNano).toBe(true);
    expect(child && child.startTimeUnixNano > 1_600_000_000_000_000_000n).toBe(true);
  });

  it('repairs and counts attribute strings that are not valid UTF-8', () => {
    // One span whose attribute `k` holds the bytes 0xff 0xfe (never valid UTF-8), hand-framed so
    // the sender's own string encoding cannot clean it first.
    const anyValue = [0x0a, 0x02, 0xff, 0xfe]; // string_value = 1, len 2
    const kv = [0x0a, 0x01, 0x6b, 0x12, anyValue.length, ...anyValue]; // key "k", value
    const span = [
      0x0a,
      0x10,
      ...new Array(16).fill(1), // trace_id
      0x12,
      0x08,
      ...new Array(8).fill(2), // span_id
      0x2a,
      0x01,
      0x73, // name "s"
      0x4a,
      kv.length,
      ...kv, // attributes
    ];
    const scopeSpans = [0x12, span.length, ...span];
    const resourceSpans = [0x12, scopeSpans.length, ...scopeSpans];
    const request = new Uint8Array([0x0a, resourceSpans.length, ...resourceSpans]);
    const { spans, repairedStrings } = decodeTraceRequest(request);
    expect(repairedStrings).toBe(1);
    expect(spans[0]?.attributes.k).toBe('\ufffd\ufffd');
    expect(spans[0]?.name).toBe('s');
  });

  it('rejects bytes that are not an export request with a named error', () => {
    const garbage = new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    let caught: unknown;
    try {
      decodeTraceRequest(garbage);
    } catch (error) {
      caught = error;
    }
    expect(OtlpDecodeError.isInstance(caught)).toBe(true);
    expect(String(caught)).toMatch(/ExportTraceServiceRequest/);
  });

  it('decodes an empty body as a request with no spans', () => {
    expect(decodeTraceRequest(new Uint8Array()).spans).toEqual([]);
  });
});
