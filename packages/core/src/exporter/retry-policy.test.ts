import type { ScriptedResponse } from '@galileo-otel/otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GalileoProcessorOptions } from '../processor/galileo-span-processor.js';
import { startWireHarness, type WireHarness } from '../test-support/wire-harness.js';

const open: WireHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

/** A pipeline whose sink records when each request arrived and answers with `answer`. */
async function answering(
  answer: (attempt: number) => ScriptedResponse | undefined,
  options: GalileoProcessorOptions = {},
) {
  const harness = await startWireHarness({ scheduledDelayMillis: 60_000, ...options });
  open.push(harness);
  const arrivals: number[] = [];
  harness.sink.respondWith(() => {
    arrivals.push(Date.now());
    return answer(arrivals.length);
  });
  const emit = (count: number) => {
    for (let i = 0; i < count; i++) harness.tracer.startSpan(`span-${i}`).end();
  };
  return { ...harness, arrivals, emit };
}

describe('which answers are retried', () => {
  it.each([502, 503, 504, 429])('retries %i and delivers the spans once', async (status) => {
    const { processor, provider, sink, emit } = await answering((attempt) =>
      attempt === 1 ? { status, headers: { 'retry-after': '0' } } : undefined,
    );
    emit(3);
    await provider.forceFlush();
    expect(sink.requests).toHaveLength(2);
    expect(sink.spans()).toHaveLength(3);
    expect(processor.stats()).toMatchObject({ exportRetries: 1, spansExported: 3, spansFailed: 0 });
  });

  it.each([
    [400, /rejected the export as malformed \(400\): span id too short/],
    [
      500,
      /answered 500 to an export for project 'harness-project', log stream 'harness-stream': span id too short/,
    ],
  ])('does not retry %i, counts the spans as failed and says why', async (status, message) => {
    const { processor, provider, sink, emit, warnings } = await answering(() => ({
      status,
      body: JSON.stringify({ detail: 'span id too short' }),
      headers: { 'retry-after': '0' },
    }));
    emit(4);
    await provider.forceFlush();
    expect(sink.requests).toHaveLength(1);
    expect(processor.stats()).toMatchObject({ exportRetries: 0, spansExported: 0, spansFailed: 4 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
  });
});

describe('when the retry budget runs out', () => {
  it('gives up after five attempts, counts every span as failed and warns once', async () => {
    const { processor, provider, sink, emit, warnings } = await answering(() => ({
      status: 503,
      headers: { 'retry-after': '0' },
    }));
    emit(3);
    await provider.forceFlush();
    emit(2);
    await provider.forceFlush();
    expect(sink.requests).toHaveLength(10);
    expect(processor.stats()).toMatchObject({
      exportRequests: 10,
      exportRetries: 8,
      spansExported: 0,
      spansFailed: 5,
    });
    expect(warnings).toEqual([
      '[galileo-otel] Galileo kept answering 503; gave up after 5 attempts and dropped 3 spans',
    ]);
  });

  it('stops retrying once the export time budget is spent', async () => {
    const { processor, provider, arrivals, emit, warnings } = await answering(
      () => ({ status: 502 }),
      { exportTimeoutMillis: 2500 },
    );
    const started = Date.now();
    emit(2);
    await provider.forceFlush();
    const elapsed = Date.now() - started;
    // Backoff is about 1 s, then 1.5 s: the third wait would end past the 2.5 s budget.
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(arrivals.length).toBeLessThanOrEqual(3);
    expect(elapsed).toBeLessThan(3000);
    expect(processor.stats()).toMatchObject({ spansExported: 0, spansFailed: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /kept answering 502; gave up after \d attempts and dropped 2 spans/,
    );
  });

  it('gives up at once when Retry-After asks for more time than the budget has', async () => {
    const { processor, provider, sink, emit, warnings } = await answering(
      () => ({ status: 429, headers: { 'retry-after': '60' } }),
      { exportTimeoutMillis: 5000 },
    );
    const started = Date.now();
    emit(1);
    await provider.forceFlush();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sink.requests).toHaveLength(1);
    expect(processor.stats()).toMatchObject({ exportRetries: 0, spansFailed: 1 });
    expect(warnings[0]).toMatch(/kept answering 429; gave up after 1 attempts/);
  });
});

describe('Retry-After', () => {
  it('honours an HTTP-date Retry-After, not only a number of seconds', async () => {
    let retryAt = 0;
    const { provider, sink, arrivals, emit } = await answering((attempt) => {
      if (attempt > 1) return undefined;
      // HTTP dates have whole seconds: 4 s ahead is at least 3 s of waiting.
      retryAt = Math.floor((Date.now() + 4000) / 1000) * 1000;
      return { status: 503, headers: { 'retry-after': new Date(retryAt).toUTCString() } };
    });
    emit(1);
    await provider.forceFlush();
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]).toBeGreaterThanOrEqual(retryAt - 50);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(2900);
    expect(sink.spans()).toHaveLength(1);
  });
});
