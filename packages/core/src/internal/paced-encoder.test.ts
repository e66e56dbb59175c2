import { decodeTraceRequest } from '@galileo-otel/otlp-proto';
import { context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTraceRequest, writeTraceRequest } from './encode-trace-request.js';
import { PacedEncoder } from './paced-encoder.js';
import type { WireWriter } from './wire-writer.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
afterAll(() => provider.shutdown());

function makeSpans(count: number): ReadableSpan[] {
  exporter.reset();
  const tracer = provider.getTracer('paced-encoder-test');
  const root = tracer.startSpan('root');
  for (let i = 0; i < count - 1; i++) {
    tracer
      .startSpan(
        `child ${i}`,
        { attributes: { i, text: 'x'.repeat(200) } },
        trace.setSpan(context.active(), root),
      )
      .end();
  }
  root.end();
  return exporter.getFinishedSpans();
}

/**
 * A serializer whose cost is scripted: every call advances a fake clock by `micros(n)` for `n`
 * spans, so the encoder's pacing is tested without timing anything.
 */
function scripted(micros: (spans: number) => number) {
  let clock = 0;
  const calls: number[] = [];
  const writers = new Set<WireWriter>();
  let turns = 0;
  const encoder = new PacedEncoder({
    budgetMs: 4,
    now: () => clock,
    nextTurn: async () => {
      turns++;
    },
    write: (writer, spans) => {
      calls.push(spans.length);
      writers.add(writer);
      clock += micros(spans.length) / 1000;
      writer.raw(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
      return true;
    },
  });
  return { encoder, calls, writers, turns: () => turns };
}

const names = (body: Uint8Array | undefined) =>
  body ? decodeTraceRequest(body).spans.map((s) => s.name) : [];

describe('PacedEncoder', () => {
  it('encodes a request in one call, byte for byte as the OTel serializer, once the encoder is hot', async () => {
    const spans = makeSpans(256);
    const { encoder, calls } = scripted((n) => n * 5); // 5 µs per span: 1.3 ms for 256
    await encoder.encode(spans.slice(0, 64)); // learns from a first export
    calls.length = 0;
    const body = await encoder.encode(spans);
    expect(calls).toEqual([256]);
    expect(body).toEqual(ProtobufTraceSerializer.serializeRequest(spans));
  });

  it('splits a request a cold encoder cannot do within budget, yielding between pieces, and loses no span', async () => {
    const spans = makeSpans(256);
    const { encoder, calls, writers, turns } = scripted((n) => n * 60); // 60 µs per span: 15 ms for 256
    const body = await encoder.encode(spans);
    // Every piece went into one writer, after the one before: nothing is joined at the end.
    expect(writers.size).toBe(1);
    expect(body).toEqual(
      new Uint8Array(
        Buffer.concat(
          calls.map((_, i) => {
            const from = calls.slice(0, i).reduce((a, b) => a + b, 0);
            return ProtobufTraceSerializer.serializeRequest(
              spans.slice(from, from + (calls[i] as number)),
            ) as Uint8Array;
          }),
        ),
      ),
    );
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(256);
    // The first piece is sized by the cold guess (100 µs); every later one fits the 4 ms budget
    // at the cost the encoder measured.
    expect(calls[0]).toBe(40);
    for (const n of calls.slice(1)) expect(n * 60).toBeLessThanOrEqual(4000);
    expect(turns()).toBe(calls.length - 1);
    // The joined pieces decode as one request with every span, in order.
    expect(names(body)).toEqual(spans.map((s) => s.name));
  });

  it('learns: pieces grow as the encoder warms up, until a request is one call again', async () => {
    const spans = makeSpans(256);
    let perSpan = 80;
    const { encoder, calls } = scripted((n) => n * perSpan);
    const piecesPerRequest: number[] = [];
    for (let round = 0; round < 6; round++) {
      calls.length = 0;
      await encoder.encode(spans);
      piecesPerRequest.push(calls.length);
      perSpan = Math.max(5, perSpan / 2);
    }
    expect(piecesPerRequest[0]).toBeGreaterThan(4);
    for (let i = 1; i < piecesPerRequest.length; i++) {
      expect(piecesPerRequest[i]).toBeLessThanOrEqual(
        piecesPerRequest[i - 1] ?? Number.POSITIVE_INFINITY,
      );
    }
    expect(piecesPerRequest.at(-1)).toBe(1);
    expect(encoder.microsPerSpan).toBeLessThan(10);
  });

  it('lets other work run between pieces on the real event loop', async () => {
    const spans = makeSpans(128);
    const encoder = new PacedEncoder({
      budgetMs: 4,
      write: (writer, piece) => {
        // A slow, cold encoder: 100 µs per span of real busy time.
        const until = performance.now() + piece.length * 0.1;
        while (performance.now() < until) {}
        writer.raw(ProtobufTraceSerializer.serializeRequest(piece) as Uint8Array);
        return true;
      },
    });
    let ranDuringEncode = false;
    let finished = false;
    setImmediate(() => {
      ranDuringEncode = !finished;
    });
    const body = await encoder.encode(spans);
    finished = true;
    expect(ranDuringEncode).toBe(true);
    expect(names(body)).toHaveLength(128);
  });

  it("keeps requests encoded at the same time apart, with core's encoder, piece by piece", async () => {
    // Two exports in flight (or two routing groups) encode side by side: their pieces
    // interleave on the event loop, each into its own writer.
    const first = makeSpans(100);
    const second = makeSpans(60);
    let clock = 0;
    const pieces: string[] = [];
    const encoder = new PacedEncoder({
      budgetMs: 1,
      now: () => clock,
      write: (writer, piece) => {
        pieces.push(piece[0]?.spanContext().spanId ?? '');
        clock += piece.length * 0.05; // 50 µs per span: pieces of 20
        writeTraceRequest(writer, piece);
        return true;
      },
    });
    await encoder.encode(first.slice(0, 20)); // learns the cost
    pieces.length = 0;
    const [a, b] = await Promise.all([encoder.encode(first), encoder.encode(second)]);
    // They did interleave: the second request's first piece came before the first one's last.
    expect(pieces).toHaveLength(5 + 3);
    expect(pieces.indexOf(second[0]?.spanContext().spanId ?? '')).toBeLessThan(
      pieces.indexOf(first.at(-20)?.spanContext().spanId ?? ''),
    );
    expect(decodeTraceRequest(a as Uint8Array).spans.map((s) => s.spanId)).toEqual(
      first.map((s) => s.spanContext().spanId),
    );
    expect(decodeTraceRequest(b as Uint8Array).spans.map((s) => s.spanId)).toEqual(
      second.map((s) => s.spanContext().spanId),
    );
    // Written in one call, each request is core's own encoding of its spans, byte for byte.
    const whole = new PacedEncoder({ budgetMs: 1000 });
    expect(await whole.encode(first)).toEqual(encodeTraceRequest(first));
  });

  it('lends a request in its own buffer, not copied, and takes it back once however often released', async () => {
    const spans = makeSpans(50);
    const encoder = new PacedEncoder({ budgetMs: 1000 });
    const copied = await encoder.encode(spans);
    const lent = await encoder.lease(spans);
    expect(lent?.bytes).toEqual(copied);
    const buffer = lent?.bytes.buffer;
    lent?.release();
    lent?.release();
    // Back in the pool once: the next request reuses that buffer, and a request encoded at the
    // same time gets another one (a second give-back would have handed it to both).
    const [one, two] = await Promise.all([encoder.lease(spans), encoder.lease(spans)]);
    expect([one?.bytes.buffer, two?.bytes.buffer]).toContain(buffer);
    expect(one?.bytes.buffer).not.toBe(two?.bytes.buffer);
    expect(one?.bytes).toEqual(copied);
    expect(two?.bytes).toEqual(copied);
    one?.release();
    two?.release();
  });

  it('returns undefined when the writer cannot encode a piece', async () => {
    const encoder = new PacedEncoder({ write: () => false });
    expect(await encoder.encode(makeSpans(8))).toBeUndefined();
    expect(await encoder.lease(makeSpans(8))).toBeUndefined();
  });
});
