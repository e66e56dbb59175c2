import { decodeTraceRequest } from '@galileo-otel/otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeInSlices } from './encode-in-slices.js';

async function endedSpans(count: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('slices', '1.2.3');
  for (let i = 0; i < count; i++) {
    tracer.startSpan(`span-${i}`, { attributes: { i, text: `message ${i}` } }).end();
  }
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

describe('encodeInSlices', () => {
  it('joins slices into one request that decodes to every span, in order, with its data', async () => {
    const spans = await endedSpans(200);
    const body = await encodeInSlices(spans);
    if (!body) throw new Error('nothing encoded');
    const decoded = decodeTraceRequest(body).spans;
    expect(decoded.map((s) => s.name)).toEqual(spans.map((s) => s.name));
    expect(decoded.map((s) => s.spanId)).toEqual(spans.map((s) => s.spanContext().spanId));
    expect(decoded[137]?.attributes).toEqual({ i: 137, text: 'message 137' });
    expect(decoded[137]?.scope).toEqual({ name: 'slices', version: '1.2.3' });
  });

  it('gives the event loop a turn between slices, so other callbacks run mid-encode', async () => {
    const spans = await endedSpans(200);
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    await encodeInSlices(spans);
    counting = false;
    // 200 spans are four slices: three turns between them.
    expect(turns).toBeGreaterThanOrEqual(3);
  });

  it('encodes a small batch exactly as the OTel serializer does', async () => {
    const spans = await endedSpans(10);
    expect(await encodeInSlices(spans)).toEqual(ProtobufTraceSerializer.serializeRequest(spans));
  });
});
