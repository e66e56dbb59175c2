import { type Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { GalileoSpanProcessorOptions } from '../config/galileo-options.js';
import { resolveGalileoConfig } from '../config/resolve-config.js';
import type { ExportStats } from '../exporter/export-stats.js';
import { GalileoOtlpExporter } from '../exporter/galileo-otlp-exporter.js';
import { warnOnceIfApiCopiesClash } from '../internal/api-copies.js';
import { registerForExit } from '../internal/exit-hooks.js';
import { DedupLogger, type GalileoLogger } from '../internal/logger.js';
import { AdapterRunner } from './adapter-runner.js';
import { ExportQueue } from './export-queue.js';
import { registerSelfMetrics } from './self-metrics.js';
import { SpanStamper } from './span-stamper.js';

/** Options of the processor, plus where its warnings go. */
export interface GalileoProcessorOptions extends GalileoSpanProcessorOptions {
  /**
   * Where warnings (export failures, drops) are printed, once per cause per minute; `false`
   * sends them only to the OTel `diag` logger.
   * @defaultValue `console`
   */
  logger?: GalileoLogger | false | undefined;
}

// The counters this processor keeps itself; the exporter keeps the delivery counters.
type OwnStats = Pick<ExportStats, 'spansQueued' | 'spansDropped' | 'spansFiltered' | 'hookErrors'>;

/**
 * The Galileo span processor. It wires the stages of the pipeline, in order:
 * 1. stamping ({@link SpanStamper}): routing, session and user as each span starts;
 * 2. adapters ({@link AdapterRunner}): framework hooks, drop and re-parent decisions;
 * 3. the queue ({@link ExportQueue}): bounded by count and bytes, one rule for "export now";
 * 4. the exporter ({@link GalileoOtlpExporter}): adapter translations, redaction, routing
 *    groups, OTLP protobuf over HTTP with retries.
 * Works as a plain `SpanProcessor` on any OTel JS SDK 2.x or 3.x provider.
 *
 * @example
 * const provider = new TracerProvider({ spanProcessors: [new GalileoSpanProcessor()] });
 */
export class GalileoSpanProcessor implements SpanProcessor {
  readonly #log: DedupLogger;
  readonly #stats: OwnStats = { spansQueued: 0, spansDropped: 0, spansFiltered: 0, hookErrors: 0 };
  readonly #stamper: SpanStamper;
  readonly #adapters: AdapterRunner;
  readonly #queue: ExportQueue;
  readonly #exporter: GalileoOtlpExporter;
  #closed = false;
  // Queued spans given up on at an exit deadline (the exporter counts those in flight).
  #abandoned = 0;
  #removeExitHooks: (() => void) | undefined;
  #removeMetrics: (() => void) | undefined;

  constructor(options: GalileoProcessorOptions = {}) {
    const config = resolveGalileoConfig(options);
    this.#exporter = new GalileoOtlpExporter(options);
    this.#log = new DedupLogger(options.logger ?? console, [config.apiKey]);
    this.#stamper = new SpanStamper(config);
    this.#adapters = new AdapterRunner(options.adapters ?? [], (where, error) =>
      this.#hookError(where, error),
    );
    this.#queue = new ExportQueue(config, {
      send: (batch) => this.#send(batch),
      full: (spans, bytes) =>
        this.#log.log(
          'queue-full',
          `export queue full (${spans} spans, ${bytes} bytes): dropping spans until it drains. Raise maxQueueSize / maxQueueBytes or check the endpoint; processor.stats() counts the drops.`,
        ),
    });
    this.#adapters.install({
      log: (key, message) => this.#log.log(`adapter:${key}`, message),
      routing: {
        project: config.project,
        logStream: config.logStream,
        experimentId: config.experimentId,
      },
      destination: config.destination,
    });
    try {
      this.#removeMetrics = registerSelfMetrics(() => this.stats());
    } catch (error) {
      this.#hookError('metrics', error);
    }
    // Also here, not only in registerGalileo(): most apps add the processor to a provider
    // someone else registered, and that is where two API copies usually meet. That provider is
    // usually registered just after this constructor (`new NodeSDK({ spanProcessors })` then
    // `sdk.start()`), so look again once the current task is over: waiting for the first
    // export would warn late, or never when every span is lost to the other copy.
    if (!this.#checkApiCopies()) {
      setTimeout(() => this.#checkApiCopies(), 0).unref?.();
    }
    // Always registered: with flushOnExit off it only warns when spans are lost at exit.
    this.#removeExitHooks = registerForExit({
      pending: () => this.#queue.pending,
      delivered: () => this.#exporter.stats().spansExported,
      undelivered: () => {
        const s = this.stats();
        return s.spansFailed + s.spansDropped + s.spansOversized + s.spansRejected;
      },
      flush: () => this.forceFlush(),
      shutdown: () => this.shutdown(),
      abandon: (reason) => this.#abandon(reason),
      flushOnExit: config.flushOnExit,
      timeoutMillis: config.exitTimeoutMillis,
      warn: (message) => this.#log.log(`exit:${message}`, message),
    });
  }

  /** The OTLP URL spans are sent to. */
  get endpoint(): string {
    return this.#exporter.endpoint;
  }

  /** A snapshot of the counters (queued, exported, dropped, failed, retried, ...). */
  stats(): ExportStats & { queueLength: number; queueBytes: number } {
    const delivery = this.#exporter.stats();
    return {
      ...delivery,
      ...this.#stats,
      spansFailed: delivery.spansFailed + this.#abandoned,
      hookErrors: delivery.hookErrors + this.#stats.hookErrors,
      queueLength: this.#queue.length,
      queueBytes: this.#queue.bytes,
    };
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.#stamper.stamp(span, parentContext);
      if (this.#adapters.active) this.#adapters.onStart(span, parentContext);
    } catch (error) {
      this.#hookError('onStart', error);
    }
  }

  onEnding(span: Span): void {
    this.#adapters.onEnding(span);
  }

  onEnd(span: ReadableSpan): void {
    try {
      if (this.#closed) return;
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (this.#adapters.dropped(span)) {
        this.#stats.spansFiltered++;
        return;
      }
      if (this.#queue.push(span)) this.#stats.spansQueued++;
      else this.#stats.spansDropped++;
    } catch (error) {
      this.#hookError('onEnd', error);
    }
  }

  /** Exports everything queued and waits until every export in flight has finished. */
  async forceFlush(): Promise<void> {
    // A flush with nothing queued may be the only sign of an app whose spans all go to a copy
    // of the API that cannot use the registered globals.
    this.#checkApiCopies();
    await this.#adapters.forceFlush();
    await this.#queue.flush();
  }

  /** Flushes, then stops accepting spans. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    // Adapters first: a bridge ends the spans of runs still open, and those must be exported.
    await this.#adapters.shutdown();
    await this.forceFlush();
    this.#closed = true;
    this.#queue.close();
    await this.#exporter.shutdown();
    // Only now: a signal handler that exits when it sees no other listener must wait for us.
    this.#removeExitHooks?.();
    try {
      this.#removeMetrics?.();
    } catch (error) {
      this.#hookError('metrics', error);
    }
  }

  async #send(batch: ReadableSpan[]): Promise<void> {
    // The app registers its provider after constructing this processor; check again (a no-op
    // once some API copy has registered).
    this.#checkApiCopies();
    const adapters = this.#adapters;
    await this.#exporter.exportSpans(
      batch,
      adapters.active
        ? (span) => {
            const rewrite = adapters.rewrite(span);
            if (rewrite === null) this.#stats.spansFiltered++;
            return rewrite;
          }
        : undefined,
    );
  }

  // The process is ending and cannot wait: what is queued is counted as failed, and exports in
  // flight end now (their spans count as failed in the exporter).
  #abandon(reason: string): void {
    const queued = this.#queue.discard();
    if (queued > 0) {
      this.#abandoned += queued;
      this.#log.log('abandoned', `gave up on ${queued} queued spans: ${reason}`);
    }
    this.#exporter.abort(reason);
  }

  #checkApiCopies(): boolean {
    return warnOnceIfApiCopiesClash((message) => this.#log.log('api-copies', message));
  }

  #hookError(where: string, error: unknown): void {
    this.#stats.hookErrors++;
    this.#log.log(
      `hook:${where}`,
      `${where} failed and was skipped (tracing continues): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
