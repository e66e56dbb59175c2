import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ExportQueue, type QueueSettings } from './export-queue.js';

function spans(count: number, text = ''): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  for (let i = 0; i < count; i++) {
    provider.getTracer('t').startSpan(`s${i}`, { attributes: { text } }).end();
  }
  return memory.getFinishedSpans();
}

const SETTINGS: QueueSettings = {
  exportMode: 'batch',
  maxQueueSize: 100,
  maxQueueBytes: 1_000_000,
  maxExportBatchSize: 10,
  maxExportBatchBytes: 1_000_000,
  scheduledDelayMillis: 600_000,
};

function queue(settings: Partial<QueueSettings> = {}) {
  const sent: string[][] = [];
  const fulls: Array<[number, number]> = [];
  const release: Array<() => void> = [];
  let hold = false;
  const q = new ExportQueue(
    { ...SETTINGS, ...settings },
    {
      send: (batch) => {
        sent.push(batch.map((s) => s.name));
        return hold ? new Promise<void>((resolve) => release.push(resolve)) : Promise.resolve();
      },
      full: (count, bytes) => fulls.push([count, bytes]),
    },
  );
  return {
    q,
    sent,
    fulls,
    holdSends: () => {
      hold = true;
    },
    releaseAll: () => {
      hold = false;
      for (const r of release.splice(0)) r();
    },
  };
}

describe('ExportQueue', () => {
  it('waits for a full batch, then exports it at once', () => {
    const { q, sent } = queue();
    for (const span of spans(9)) q.push(span);
    expect(sent).toEqual([]);
    q.push(spans(1)[0] as ReadableSpan);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(10);
  });

  it('exports each span as it ends in immediate mode, two at a time', async () => {
    const { q, sent } = queue({ exportMode: 'immediate' });
    for (const span of spans(3)) q.push(span);
    // Both export slots are taken; the third goes as soon as one is free.
    expect(sent).toEqual([['s0'], ['s1']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([['s0'], ['s1'], ['s2']]);
  });

  it('exports a batch when its bytes reach the limit, before the count does', () => {
    const { q, sent } = queue({ maxExportBatchBytes: 3000 });
    const big = spans(3, 'x'.repeat(1200));
    q.push(big[0] as ReadableSpan);
    expect(sent).toEqual([]);
    q.push(big[1] as ReadableSpan);
    q.push(big[2] as ReadableSpan);
    expect(sent.flat()).toContain('s0');
  });

  it('drops what does not fit, and reports one episode until the queue drains', async () => {
    const { q, fulls } = queue({ maxQueueBytes: 500, maxExportBatchSize: 50 });
    const results = spans(4, 'y'.repeat(300)).map((span) => q.push(span));
    expect(results).toEqual([true, false, false, false]);
    expect(fulls).toHaveLength(1);
    await q.flush();
    expect(q.push(spans(1)[0] as ReadableSpan)).toBe(true);
    const byCount = queue({ maxQueueSize: 2, maxExportBatchSize: 50 });
    expect(spans(3).map((span) => byCount.q.push(span))).toEqual([true, true, false]);
    expect(byCount.fulls).toEqual([[2, byCount.q.bytes]]);
  });

  it('runs at most two exports at once, and flush waits for all of them', async () => {
    const { q, sent, holdSends, releaseAll } = queue({ maxExportBatchSize: 2 });
    holdSends();
    for (const span of spans(8)) q.push(span);
    expect(sent).toHaveLength(2);
    expect(q.pending).toBe(8);
    const flushed = q.flush();
    releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    releaseAll();
    await flushed;
    expect(sent.flat()).toHaveLength(8);
    expect(q.pending).toBe(0);
  });

  it('discards what is queued when the process cannot wait', () => {
    const { q, sent } = queue();
    for (const span of spans(4)) q.push(span);
    expect(q.discard()).toBe(4);
    expect(q.length).toBe(0);
    expect(sent).toEqual([]);
  });
});
