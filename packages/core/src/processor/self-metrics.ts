import { type BatchObservableResult, metrics } from '@opentelemetry/api';
import type { ExportStats } from '../exporter/export-stats.js';

// Numbers each processor's self-metric series in this process.
let processorInstances = 0;

/**
 * Reports a processor's counters through the global OTel MeterProvider (a no-op unless the app
 * registered one). Each processor reports its own series (`otel.component.name`, as the OTel
 * SDK's own processor metrics do): two processors in one process would otherwise overwrite each
 * other's counts. Returns a function that stops the reporting (at shutdown).
 */
export function registerSelfMetrics(read: () => ExportStats & { queueLength: number }): () => void {
  const meter = metrics.getMeter('@galileo-otel/core');
  const component = {
    'otel.component.type': 'galileo_span_processor',
    'otel.component.name': `galileo_span_processor/${processorInstances++}`,
  };
  const spans = meter.createObservableCounter('galileo_otel.spans', {
    description: 'Spans seen by the Galileo processor, by outcome',
  });
  const requests = meter.createObservableCounter('galileo_otel.export.requests', {
    description: 'Export HTTP requests, by whether they were retries',
  });
  const queued = meter.createObservableGauge('galileo_otel.queue.spans', {
    description: 'Spans waiting for export',
  });
  const observe = (result: BatchObservableResult): void => {
    const stats = read();
    const outcomes = {
      exported: stats.spansExported,
      dropped: stats.spansDropped,
      filtered: stats.spansFiltered,
      failed: stats.spansFailed,
      rejected: stats.spansRejected,
      oversized: stats.spansOversized,
    };
    for (const [outcome, value] of Object.entries(outcomes)) {
      result.observe(spans, value, { ...component, outcome });
    }
    result.observe(requests, stats.exportRequests - stats.exportRetries, {
      ...component,
      retry: false,
    });
    result.observe(requests, stats.exportRetries, { ...component, retry: true });
    result.observe(queued, stats.queueLength, component);
  };
  const observables = [spans, requests, queued];
  meter.addBatchObservableCallback(observe, observables);
  return () => meter.removeBatchObservableCallback(observe, observables);
}
