// The pipelines under test, each on its own SDK 3 TracerProvider with the same defaults.
import { GalileoSpanProcessor } from '@galileo-otel/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { benchAdapter } from './bench-adapter.mjs';
import { BENCH_API_KEY } from './bench-api-key.mjs';
import { sleep } from './stats.mjs';

export const PIPELINES = {
  none: 'span creation only (no processor)',
  plain: 'plain BatchSpanProcessor + OTLP protobuf',
  'plain-gzip': 'plain BatchSpanProcessor + OTLP protobuf, gzip',
  galileo: 'GalileoSpanProcessor',
  'galileo-gzip': 'GalileoSpanProcessor, gzip',
  'galileo-gzip-1': 'GalileoSpanProcessor, gzip, compressionLevel 1',
  'galileo-gzip-6': 'GalileoSpanProcessor, gzip, compressionLevel 6',
  'galileo-adapter': 'GalileoSpanProcessor + translate adapter',
};

/** Wraps an exporter to count what it was handed and what it delivered. */
class CountingExporter {
  constructor(inner) {
    this.inner = inner;
    this.pending = 0;
    this.exported = 0;
    this.delivered = 0;
    this.failed = 0;
    this.lastDone = 0;
  }
  export(spans, done) {
    this.pending++;
    this.exported += spans.length;
    this.inner.export(spans, (result) => {
      this.pending--;
      if (result.code === 0) this.delivered += spans.length;
      else this.failed += spans.length;
      this.lastDone = performance.now();
      done(result);
    });
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
  shutdown() {
    return this.inner.shutdown();
  }
}

/**
 * Builds a pipeline. `options` carries queue settings for the throughput and stall suites
 * (`maxQueueSize`, `maxQueueBytes`); defaults are the stock ones.
 */
export function makePipeline(kind, url, options = {}) {
  const headers = { 'Galileo-API-Key': BENCH_API_KEY, project: 'bench', logstream: 'default' };
  if (kind === 'none') {
    const provider = new TracerProvider({ spanProcessors: [] });
    return {
      kind,
      provider,
      tracer: provider.getTracer('bench'),
      settle: async () => ({ delivered: 0, dropped: 0 }),
      shutdown: () => provider.shutdown(),
    };
  }
  if (kind === 'plain' || kind === 'plain-gzip') {
    const exporter = new CountingExporter(
      new OTLPTraceExporter({
        url,
        headers,
        compression: kind === 'plain-gzip' ? 'gzip' : 'none',
        timeoutMillis: options.exportTimeoutMillis,
        concurrencyLimit: options.concurrencyLimit,
      }),
    );
    const processor = new BatchSpanProcessor({
      exporter,
      maxQueueSize: options.maxQueueSize,
      maxExportBatchSize: options.maxExportBatchSize,
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    return {
      kind,
      provider,
      processor,
      exporter,
      tracer: provider.getTracer('bench'),
      /** Flushes, then waits until every export has really finished (see the flush trap). */
      async settle(created, { waitMs = 60_000 } = {}) {
        await processor.forceFlush();
        const flushedAt = performance.now();
        const inFlightAtFlush = exporter.pending;
        const deadline = Date.now() + waitMs;
        while (exporter.pending > 0 && Date.now() < deadline) await sleep(1);
        return {
          delivered: exporter.delivered,
          dropped: created - exporter.exported,
          failed: exporter.failed,
          inFlightAtFlush,
          lateMs: inFlightAtFlush > 0 ? exporter.lastDone - flushedAt : 0,
        };
      },
      shutdown: () => provider.shutdown(),
    };
  }
  // `options.Processor`: another build of the processor (bench/ab.mjs compares two).
  const Processor = options.Processor ?? GalileoSpanProcessor;
  const processor = new Processor({
    apiKey: BENCH_API_KEY,
    project: 'bench',
    logStream: 'default',
    endpoint: url,
    logger: false,
    compression: kind.startsWith('galileo-gzip') ? 'gzip' : 'none',
    // The rows of other levels show what `compressionLevel` trades (the default is 4).
    compressionLevel: { 'galileo-gzip-1': 1, 'galileo-gzip-6': 6 }[kind],
    adapters: kind === 'galileo-adapter' ? [benchAdapter] : [],
    maxQueueSize: options.maxQueueSize,
    maxQueueBytes: options.maxQueueBytes,
    maxExportBatchSize: options.maxExportBatchSize,
    exportTimeoutMillis: options.exportTimeoutMillis,
    redactSecrets: options.redactSecrets,
  });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  return {
    kind,
    provider,
    processor,
    tracer: provider.getTracer('bench'),
    async settle() {
      await processor.forceFlush();
      const s = processor.stats();
      return {
        delivered: s.spansExported,
        dropped: s.spansDropped,
        failed: s.spansFailed,
        inFlightAtFlush: 0,
        lateMs: 0,
        bytesSent: s.bytesSent,
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
