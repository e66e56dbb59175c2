import { context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import type { GalileoAdapter } from '../adapter/galileo-adapter.js';
import { AdapterRunner } from './adapter-runner.js';

/** A provider whose only processor feeds the runner's start hooks, as the Galileo processor does. */
function pipeline(adapters: GalileoAdapter[]) {
  const errors: string[] = [];
  const runner = new AdapterRunner(adapters, (where) => errors.push(where));
  const memory = new InMemorySpanExporter();
  const hooks: SpanProcessor = {
    onStart: (span: Span, ctx) => runner.onStart(span, ctx),
    onEnd: () => {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    spanProcessors: [hooks, new SimpleSpanProcessor({ exporter: memory })],
  });
  return { runner, errors, tracer: provider.getTracer('t'), memory };
}

const byName = (spans: ReadableSpan[], name: string) =>
  spans.find((s) => s.name === name) as ReadableSpan;

describe('AdapterRunner', () => {
  it('re-parents past every dropped wrapper, so nothing is orphaned', () => {
    const { runner, tracer, memory } = pipeline([
      {
        name: 'fold',
        onStart: (span) =>
          (span as unknown as ReadableSpan).name.startsWith('wrapper') ? { drop: true } : undefined,
      },
    ]);
    const root = tracer.startSpan('root');
    const w1 = tracer.startSpan('wrapper-1', {}, trace.setSpan(context.active(), root));
    const w2 = tracer.startSpan('wrapper-2', {}, trace.setSpan(context.active(), w1));
    const leaf = tracer.startSpan('leaf', {}, trace.setSpan(context.active(), w2));
    for (const s of [leaf, w2, w1, root]) s.end();
    const ended = memory.getFinishedSpans();
    expect(runner.dropped(byName(ended, 'wrapper-1'))).toBe(true);
    expect(runner.rewrite(byName(ended, 'leaf'))?.parentSpanContext?.spanId).toBe(
      root.spanContext().spanId,
    );
    expect(runner.rewrite(byName(ended, 'root'))).toBeUndefined();
  });

  it('merges translations of several adapters, later ones winning, and leaves a drop out', () => {
    const { runner, tracer, memory } = pipeline([
      { name: 'a', translate: () => ({ name: 'from-a', attributes: { a: 1, shared: 'a' } }) },
      {
        name: 'b',
        translate: (s) =>
          s.name === 'gone'
            ? { drop: true }
            : { attributes: { shared: 'b' }, removeAttributes: ['vendor'] },
      },
    ]);
    tracer.startSpan('kept', { attributes: { vendor: 'x', own: true } }).end();
    tracer.startSpan('gone').end();
    const [kept, gone] = memory.getFinishedSpans();
    expect(runner.rewrite(kept as ReadableSpan)).toEqual({
      name: 'from-a',
      attributes: { own: true, a: 1, shared: 'b' },
    });
    expect(runner.rewrite(gone as ReadableSpan)).toBeNull();
  });

  it('merges a translation as spreading it would: order kept, removals winning over additions', () => {
    const { runner, tracer, memory } = pipeline([
      {
        name: 'a',
        translate: () => ({
          attributes: { second: 'changed', added: 1, dropped: 'again', later: true },
          removeAttributes: ['dropped', 'absent'],
        }),
      },
    ]);
    const base = { first: 'a', second: 'b', dropped: 'c', third: ['d'] };
    tracer.startSpan('s', { attributes: base }).end();
    const [span] = memory.getFinishedSpans();
    const merged = runner.rewrite(span as ReadableSpan)?.attributes ?? {};
    // The order the exporter writes them in is the order of the spread.
    expect(Object.entries(merged)).toEqual([
      ['first', 'a'],
      ['second', 'changed'],
      ['third', ['d']],
      ['added', 1],
      ['later', true],
    ]);
    // A copy: the span's own attributes are left as they were.
    expect(span?.attributes).toEqual(base);
  });

  it('turns an error found at export into the one error shape, exception event included', () => {
    const { runner, tracer, memory } = pipeline([
      { name: 'finds', translate: () => ({ error: { type: 'ToolError', message: 'it broke' } }) },
    ]);
    tracer.startSpan('ok-in-the-framework').end();
    const span = memory.getFinishedSpans()[0] as ReadableSpan;
    const rewrite = runner.rewrite(span);
    expect(rewrite?.status).toEqual({ code: 2, message: 'it broke' });
    expect(rewrite?.attributes?.['error.type']).toBe('ToolError');
    expect(rewrite?.events).toEqual([
      {
        name: 'exception',
        time: span.endTime,
        attributes: { 'exception.type': 'ToolError', 'exception.message': 'it broke' },
      },
    ]);
  });

  it('reports a throwing adapter and carries on with the others', () => {
    const { runner, errors, tracer, memory } = pipeline([
      {
        name: 'broken',
        onStart: () => {
          throw new Error('x');
        },
        translate: () => {
          throw new Error('y');
        },
      },
      { name: 'fine', translate: () => ({ name: 'renamed' }) },
    ]);
    tracer.startSpan('s').end();
    expect(runner.rewrite(memory.getFinishedSpans()[0] as ReadableSpan)?.name).toBe('renamed');
    expect(errors).toEqual(['broken.onStart', 'broken.translate']);
  });
});
