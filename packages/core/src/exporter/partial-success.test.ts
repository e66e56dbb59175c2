import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startWireHarness, type WireHarness } from '../test-support/wire-harness.js';

// ExportTraceServiceResponse from opentelemetry-proto (collector/trace/v1/trace_service.proto).
const Response = protobuf
  .parse(`
syntax = "proto3";
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
`)
  .root.lookupType('ExportTraceServiceResponse');

/**
 * The protobuf answer as the sink's string body. The sink writes bodies as UTF-8, which leaves
 * bytes below 0x80 unchanged, so small counts and ASCII messages arrive byte for byte.
 */
function protobufBody(partialSuccess: { rejectedSpans: number; errorMessage: string }): string {
  const bytes = Response.encode(Response.create({ partialSuccess })).finish();
  expect(bytes.every((b) => b < 0x80)).toBe(true);
  expect(bytes[0]).not.toBe(0x7b); // not mistaken for JSON
  return Buffer.from(bytes).toString('latin1');
}

const PROTOBUF = { 'content-type': 'application/x-protobuf' };

const open: WireHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});
async function harness() {
  const started = await startWireHarness();
  open.push(started);
  for (let i = 0; i < 5; i++) started.tracer.startSpan(`span-${i}`).end();
  return started;
}

describe('partialSuccess in the answer to an export', () => {
  it('reads a protobuf partialSuccess: counts the rejected spans and reports them once', async () => {
    const { processor, provider, sink, warnings } = await harness();
    sink.script({
      status: 200,
      headers: PROTOBUF,
      body: protobufBody({ rejectedSpans: 2, errorMessage: 'span names must not be empty' }),
    });
    await provider.forceFlush();
    expect(processor.stats()).toMatchObject({ spansExported: 3, spansRejected: 2, spansFailed: 0 });
    expect(warnings).toEqual([
      '[galileo-otel] Galileo accepted 3 of 5 spans and rejected 2: span names must not be empty',
    ]);
  });

  it('stays quiet on a protobuf answer whose partialSuccess rejects nothing', async () => {
    const { processor, provider, sink, warnings } = await harness();
    sink.script({
      status: 200,
      headers: PROTOBUF,
      body: protobufBody({ rejectedSpans: 0, errorMessage: '' }),
    });
    await provider.forceFlush();
    expect(processor.stats()).toMatchObject({ spansExported: 5, spansRejected: 0 });
    expect(warnings).toEqual([]);
  });

  it('reads the snake_case JSON form some receivers send', async () => {
    const { processor, provider, sink, warnings } = await harness();
    sink.script({
      status: 200,
      body: JSON.stringify({ partial_success: { rejected_spans: 1, error_message: 'too old' } }),
    });
    await provider.forceFlush();
    expect(processor.stats()).toMatchObject({ spansExported: 4, spansRejected: 1 });
    expect(warnings).toEqual([
      '[galileo-otel] Galileo accepted 4 of 5 spans and rejected 1: too old',
    ]);
  });

  it('treats an unreadable success body as full success', async () => {
    const { processor, provider, sink, warnings } = await harness();
    sink.script({ status: 200, headers: PROTOBUF, body: '\u0008\u00ff\u00ff' });
    await provider.forceFlush();
    expect(processor.stats()).toMatchObject({ spansExported: 5, spansRejected: 0, hookErrors: 0 });
    expect(warnings).toEqual([]);
  });
});
