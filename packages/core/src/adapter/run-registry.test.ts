import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { INCOMPLETE, INCOMPLETE_REASON, markIncomplete, RunRegistry } from './run-registry.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { exporter, provider, tracer: provider.getTracer('t') };
}

describe('RunRegistry', () => {
  it('gives up on the oldest run past maxOpenRuns, ending its span as incomplete', async () => {
    const { exporter, provider, tracer } = tracing();
    const registry = new RunRegistry<string, ReturnType<typeof tracer.startSpan>>({
      maxOpenRuns: 2,
      abandon: (span, reason) => {
        markIncomplete(span, reason);
        span.end();
      },
    });
    for (const id of ['a', 'b', 'c']) registry.set(id, tracer.startSpan(id));
    expect(registry.size).toBe(2);
    expect(registry.has('a')).toBe(false);
    await provider.forceFlush();
    const [evicted] = exporter.getFinishedSpans();
    expect(evicted?.name).toBe('a');
    expect(evicted?.attributes).toMatchObject({
      [INCOMPLETE]: true,
      [INCOMPLETE_REASON]: 'evicted',
    });
  });

  it('gives up on every open run at shutdown, and forgets runs that ended normally', () => {
    const given: string[] = [];
    const registry = new RunRegistry<string, string>({
      abandon: (run, reason) => given.push(`${run}:${reason}`),
    });
    registry.set('a', 'run-a');
    registry.set('b', 'run-b');
    expect(registry.delete('a')).toBe('run-a');
    registry.giveUpAll();
    expect(given).toEqual(['run-b:shutdown']);
    expect(registry.size).toBe(0);
  });

  it('forgets a run even when ending it throws', () => {
    const registry = new RunRegistry<string, string>({
      maxOpenRuns: 1,
      abandon: () => {
        throw new Error('framework state gone');
      },
    });
    registry.set('a', 'x');
    expect(() => registry.set('b', 'y')).not.toThrow();
    expect([...registry.values()]).toEqual(['y']);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    for (const maxOpenRuns of [0, -1, 1.5, Number.NaN]) {
      expect(() => new RunRegistry({ maxOpenRuns, abandon: () => {} })).toThrow(RangeError);
    }
    expect(
      () => new RunRegistry({ maxOpenRuns: 0, optionName: 'maxOpenSpans', abandon: () => {} }),
    ).toThrow(/^maxOpenSpans must be a whole number of at least 1, got 0$/);
  });
});
