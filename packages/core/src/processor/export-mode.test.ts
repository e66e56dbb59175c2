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
      timeout: 1000,
      interval: 10,
    });
    tracer.startSpan('second').end();
    await vi.waitFor(() => expect(sink.requests).toHaveLength(2), { timeout: 1000, interval: 10 });
    expect(sink.requests.map((r) => r.spans.map((s) => s.name))).toEqual([['first'], ['second']]);
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
