import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWireHarness, type WireHarness } from '../test-support/wire-harness.js';

const open: WireHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function harness(exportMode: 'batch' | 'immediate') {
  // A delay no test waits for: only the export mode can make a span leave early.
  const started = await startWireHarness({ exportMode, scheduledDelayMillis: 60_000 });
  open.push(started);
  return started;
}

describe('export modes', () => {
  it('exports each span as it ends in immediate mode, without a flush', async () => {
    const { sink, tracer } = await harness('immediate');
    tracer.startSpan('first').end();
    await vi.waitFor(() => expect(sink.spans().map((s) => s.name)).toEqual(['first']), {
      timeout: 20_000,
      interval: 10,
    });
    tracer.startSpan('second').end();
    await vi.waitFor(() => expect(sink.requests).toHaveLength(2), {
      timeout: 20_000,
      interval: 10,
    });
    expect(sink.requests.map((r) => r.spans.map((s) => s.name))).toEqual([['first'], ['second']]);
  });

  it('exports spans that ended while every export slot was busy as soon as one frees up', async () => {
    const { sink, tracer } = await harness('immediate');
    // The first two exports take the processor's two slots for 150 ms each.
    sink.script({ status: 200, delayMs: 150 }, { status: 200, delayMs: 150 });
    for (let i = 0; i < 5; i++) tracer.startSpan(`span-${i}`).end();
    // Without the fix the last three wait for scheduledDelayMillis (60 s here), past the 20 s wait.
    await vi.waitFor(() => expect(sink.spans()).toHaveLength(5), { timeout: 20_000, interval: 10 });
    expect(new Set(sink.spans().map((s) => s.name))).toEqual(
      new Set(['span-0', 'span-1', 'span-2', 'span-3', 'span-4']),
    );
  });

  it('holds spans until the schedule or a flush in batch mode', async () => {
    const { sink, tracer, processor, provider } = await harness('batch');
    tracer.startSpan('waiting').end();
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.requests).toHaveLength(0);
    expect(processor.stats().queueLength).toBe(1);
    await provider.forceFlush();
    expect(sink.spans().map((s) => s.name)).toEqual(['waiting']);
  });
});
