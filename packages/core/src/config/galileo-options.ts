import type { GalileoAdapter } from '../adapter/galileo-adapter.js';

import type { RedactFunction } from '../redaction/redact.js';
import type { DestinationOptions } from './resolve-destination.js';

/**
 * Options of {@link GalileoOtlpExporter}: where spans go and how they are sent and redacted.
 * Every one has an environment fallback.
 */
export interface GalileoOtlpExporterOptions extends DestinationOptions {
  /**
   * Extra HTTP headers on every export request (for gateways and proxies). They cannot replace
   * `Galileo-API-Key` or the routing headers.
   * @defaultValue `{}`
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Time budget of one export, retries included, in milliseconds.
   * @defaultValue `OTEL_BSP_EXPORT_TIMEOUT`, then `30000`
   */
  exportTimeoutMillis?: number | undefined;
  /**
   * Longest string attribute value exported, in characters; longer values are cut and marked.
   * @defaultValue `GALILEO_MAX_ATTRIBUTE_LENGTH`, then `1048576`
   */
  maxAttributeLength?: number | undefined;
  /**
   * Request body compression. gzip runs off the main thread, at {@link compressionLevel}.
   * @defaultValue `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION`, then `OTEL_EXPORTER_OTLP_COMPRESSION`,
   * then `none`
   */
  compression?: 'gzip' | 'none' | undefined;
  /**
   * zlib level of `compression: 'gzip'`, 1 (least CPU) to 9 (fewest bytes). On span bodies the
   * default 4 sends about a fifth of the bytes; 6 (what OTel's exporters use) sends about 6 %
   * fewer for about 1.7 times the gzip CPU, 1 about 13 % more for about 0.7 times
   * (BENCHMARKS.md, table 1).
   * @defaultValue `GALILEO_COMPRESSION_LEVEL`, then `4`
   */
  compressionLevel?: number | undefined;
  /**
   * Apply the built-in secret filter (API keys, tokens, passwords, authorization and cookie
   * headers) to every exported attribute.
   * @defaultValue `true` (`GALILEO_REDACT_SECRETS=false` turns it off)
   */
  redactSecrets?: boolean | undefined;
  /**
   * Your own redaction, run on every exported attribute after the built-in filter. Return the
   * value to keep, a replacement, or `undefined` to drop the attribute. If it throws, the
   * attribute's content is dropped (fail closed) and the span is kept.
   * @defaultValue none
   */
  redact?: RedactFunction | undefined;
  /**
   * Allow sending the API key over plain `http://` to a host that is not loopback.
   * @defaultValue `false`
   */
  allowInsecureHttp?: boolean | undefined;
}

/**
 * Options of {@link GalileoSpanProcessor}: the exporter's, plus stamping, adapters, queueing and
 * exit handling. Every one has an environment fallback.
 */
export interface GalileoSpanProcessorOptions extends GalileoOtlpExporterOptions {
  /**
   * Session id stamped as `galileo.session.id` on spans that do not carry one (from baggage or
   * set by the application).
   * @defaultValue `GALILEO_SESSION_ID`
   */
  sessionId?: string | undefined;
  /**
   * Framework plug-ins that translate or create spans.
   * @defaultValue `[]`
   */
  adapters?: readonly GalileoAdapter[] | undefined;
  /**
   * `batch` queues spans and exports them in batches; `immediate` exports each span as it ends
   * (serverless functions that may be frozen right after the response).
   * @defaultValue `GALILEO_EXPORT_MODE`, then `batch`
   */
  exportMode?: 'batch' | 'immediate' | undefined;
  /**
   * Most spans held in memory waiting for export; more are dropped and counted.
   * @defaultValue `OTEL_BSP_MAX_QUEUE_SIZE`, then `2048`
   */
  maxQueueSize?: number | undefined;
  /**
   * Most bytes (estimated encoded size) held in memory waiting for export.
   * @defaultValue `GALILEO_MAX_QUEUE_BYTES`, then `33554432` (32 MiB)
   */
  maxQueueBytes?: number | undefined;
  /**
   * Most spans in one export request.
   * @defaultValue `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, then `512`
   */
  maxExportBatchSize?: number | undefined;
  /**
   * Most bytes (estimated encoded size) in one export request.
   * @defaultValue `GALILEO_MAX_EXPORT_BATCH_BYTES`, then `4194304` (4 MiB)
   */
  maxExportBatchBytes?: number | undefined;
  /**
   * Delay between scheduled exports, in milliseconds.
   * @defaultValue `OTEL_BSP_SCHEDULE_DELAY`, then `5000`
   */
  scheduledDelayMillis?: number | undefined;
  /**
   * Deliver queued spans before the process ends: on a natural exit (the event loop drains) the
   * process is held open until they are sent; on SIGTERM or SIGINT the processor shuts down,
   * then the signal takes its usual course (a second SIGINT exits at once). With it off, or
   * when the app calls `process.exit()` with spans queued, one warning says how many were lost.
   * @defaultValue `GALILEO_FLUSH_ON_EXIT`, then `true`
   */
  flushOnExit?: boolean | undefined;
  /**
   * Longest wait for the exit flush, in milliseconds; then whatever is still unsent is given up
   * and reported. Keep it under your platform's shutdown grace period (Kubernetes: 30 s).
   * @defaultValue `GALILEO_EXIT_TIMEOUT`, then `10000`
   */
  exitTimeoutMillis?: number | undefined;
}
