import { context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { runClock } from './run-clock.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer('run-clock-test');
afterAll(() => provider.shutdown());

const nanos = ([seconds, ns]: [number, number]) => BigInt(seconds) * 1_000_000_000n + BigInt(ns);

describe('runClock', () => {
  it('tracks the wall clock and never runs backwards', () => {
    const now = runClock();
    const first = now();
    expect(Math.abs(first - Date.now())).toBeLessThan(5);
    let previous = first;
    for (let i = 0; i < 10_000; i++) {
      const next = now();
      expect(next).toBeGreaterThanOrEqual(previous);
      previous = next;
    }
  });

  it('keeps a child that ends first inside its parent, down to the microsecond', () => {
    exporter.reset();
    for (let i = 0; i < 300; i++) {
      const now = runClock();
      const parent = tracer.startSpan('parent', { startTime: now() });
      const child = tracer.startSpan(
        'child',
        { startTime: now() },
        trace.setSpan(context.active(), parent),
      );
      child.end(now());
      parent.end(now());
    }
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(600);
    for (let i = 0; i < spans.length; i += 2) {
      const [child, parent] = [spans[i], spans[i + 1]];
      expect(child?.name).toBe('child');
      expect(parent?.name).toBe('parent');
      if (!child || !parent) continue;
      expect(nanos(child.startTime)).toBeGreaterThanOrEqual(nanos(parent.startTime));
      expect(nanos(child.endTime)).toBeLessThanOrEqual(nanos(parent.endTime));
      // Sub-millisecond precision survives: the span is not rounded to Date.now().
      expect(
        nanos(child.endTime) % 1_000_000n !== 0n || nanos(child.startTime) % 1_000_000n !== 0n,
      ).toBe(true);
    }
  });
});
