import type {
  Attributes,
  HrTime,
  Link,
  SpanContext,
  SpanKind,
  SpanStatus,
} from '@opentelemetry/api';
import {
  type ExportResult,
  ExportResultCode,
  type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace';
import { GalileoAttributes as G, GenAiAttributes } from '../attributes/attribute-names.js';
import type { GalileoOtlpExporterOptions } from '../config/galileo-options.js';
import { resolveGalileoConfig } from '../config/resolve-config.js';
import { DedupLogger, type GalileoLogger } from '../internal/logger.js';
import { nextTurn } from '../internal/next-turn.js';
import { type ExportStats, emptyStats } from './export-stats.js';
import { OtlpHttpTransport } from './otlp-http-transport.js';
import { SpanRedactor } from './span-redactor.js';
import { SpanRoutes } from './span-routes.js';

/** Options of {@link GalileoOtlpExporter}, plus where its warnings go. */
export interface GalileoOtlpExporterSettings extends GalileoOtlpExporterOptions {
  /**
   * Where warnings (export failures, redaction hook errors) are printed, once per cause per
   * minute; `false` sends them only to the OTel `diag` logger.
   * @defaultValue `console`
   */
  logger?: GalileoLogger | false | undefined;
}

/**
 * How the span processor's adapter stage changes one span before it is exported. Fields left
 * out keep the span's own value; `parentSpanContext: undefined` given explicitly makes it a root.
 */
export interface SpanRewrite {
  /** New span name. */
  name?: string | undefined;
  /** The attributes to export instead of the span's own. */
  attributes?: Attributes | undefined;
  /** New status. */
  status?: SpanStatus | undefined;
  /** New parent (re-parenting past dropped spans). */
  parentSpanContext?: SpanContext | undefined;
  /** The events to export instead of the span's own. */
  events?: TimedEvent[] | undefined;
}

/**
 * Translation and redaction yield the event loop once they have held it this long (the paced
 * encoder's budget). A fixed 64 spans per turn prepared a 512-span batch over eight turns, while
 * the app made more spans in each of them: under load the queue filled and dropped spans.
 */
const PREPARE_BUDGET_MS = 4;
/** Spans prepared between two looks at the clock. */
const PREPARE_CHECK = 32;

/** The spans of one request: one route, its routing headers. */
interface Group {
  routing: Record<string, string>;
  spans: ReadableSpan[];
}

/**
 * A span as it is exported: the original's fields with the prepare stage's changes (cleaned
 * name, attributes, status, events, links, scope and trace state; the route's Resource; a new
 * parent). One class, so the encoder reads every prepared span through one shape, and no
 * closure per span for `spanContext()`.
 */
class PreparedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly duration: HrTime;
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  /** `Object.keys(attributes)`, already listed, for the encoder (see `encodeTraceRequest`). */
  readonly attributeKeys: string[] | undefined;
  readonly #spanContext: SpanContext;

  constructor(
    span: ReadableSpan,
    name: string,
    attributes: Attributes,
    status: SpanStatus,
    parentSpanContext: SpanContext | undefined,
    events: TimedEvent[],
    links: Link[],
    resource: Resource,
    instrumentationScope: InstrumentationScope,
    spanContext: SpanContext,
    attributeKeys: string[] | undefined,
  ) {
    this.name = name;
    this.kind = span.kind;
    this.parentSpanContext = parentSpanContext;
    this.startTime = span.startTime;
    this.endTime = span.endTime;
    this.status = status;
    this.attributes = attributes;
    this.links = links;
    this.events = events;
    this.duration = span.duration;
    this.resource = resource;
    this.instrumentationScope = instrumentationScope;
    this.droppedAttributesCount = span.droppedAttributesCount;
    this.droppedEventsCount = span.droppedEventsCount;
    this.droppedLinksCount = span.droppedLinksCount;
    this.#spanContext = spanContext;
    this.attributeKeys = attributeKeys;
  }

  spanContext(): SpanContext {
    return this.#spanContext;
  }
}
const RESOURCE_SETTLE_LIMIT_MS = 5_000;

/**
 * An OpenTelemetry `SpanExporter` that sends spans to Galileo: OTLP protobuf over HTTP to the
 * destination's URL with its headers, one request per routing group (project and log stream,
 * or experiment), routing and session on each span's Resource, every string redacted on the way
 * out, retries with backoff, and 413 handling that splits and learns the limit.
 *
 * `GalileoSpanProcessor` is the recommended path: it also stamps sessions from baggage, runs
 * framework adapters and bounds its queue by bytes. Use the exporter on its own where a pipeline
 * already exists: with a stock `BatchSpanProcessor`, or as a NodeSDK `traceExporter`.
 *
 * @example
 * // OTel JS SDK 3 (@opentelemetry/sdk-trace); on SDK 2: new BatchSpanProcessor(exporter)
 * const provider = new TracerProvider({
 *   spanProcessors: [new BatchSpanProcessor({ exporter: new GalileoOtlpExporter() })],
 * });
 */
export class GalileoOtlpExporter implements SpanExporter {
  readonly #stats: ExportStats = emptyStats();
  readonly #log: DedupLogger;
  readonly #transport: OtlpHttpTransport;
  readonly #redactor: SpanRedactor;
  readonly #routes: SpanRoutes;
  readonly #endpoint: string;
  readonly #settleLimitMs: number;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #unsettled = new WeakSet<Resource>();
  #closed = false;

  /** @throws {GalileoConfigError} naming the setting when one is missing or invalid. */
  constructor(options: GalileoOtlpExporterSettings = {}) {
    const config = resolveGalileoConfig(options);
    this.#endpoint = config.endpoint;
    this.#settleLimitMs = Math.min(RESOURCE_SETTLE_LIMIT_MS, config.exportTimeoutMillis);
    this.#redactor = new SpanRedactor({
      apiKey: config.apiKey,
      redactSecrets: config.redactSecrets,
      maxAttributeLength: config.maxAttributeLength,
      redact: options.redact,
      onHookError: (error) => this.#hookError('redact', error),
    });
    this.#log = new DedupLogger(options.logger ?? console, [...this.#redactor.secrets]);
    this.#transport = new OtlpHttpTransport(config, this.#stats, this.#log);
    this.#routes = new SpanRoutes(config.routing, config.routingFamily);
  }

  /** The OTLP URL spans are sent to. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** A snapshot of the delivery counters (exported, failed, rejected, retries, bytes, ...). */
  stats(): ExportStats {
    return { ...this.#stats };
  }

  /** The `SpanExporter` entry point: sends `spans`, then reports whether all were delivered. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#closed) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('the Galileo exporter is shut down'),
      });
      return;
    }
    this.exportSpans(spans).then(
      (lost) =>
        resultCallback(
          lost === 0
            ? { code: ExportResultCode.SUCCESS }
            : {
                code: ExportResultCode.FAILED,
                error: new Error(`${lost} of ${spans.length} spans were not delivered`),
              },
        ),
      (error: unknown) =>
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
  }

  /**
   * Sends `spans`, each changed first by `rewrite` when given (`null` leaves a span out), and
   * resolves with the number of spans that were not delivered. Never rejects. This is what
   * `GalileoSpanProcessor` calls with its adapters' translations; other callers use `export()`.
   */
  async exportSpans(
    spans: readonly ReadableSpan[],
    rewrite?: (span: ReadableSpan) => SpanRewrite | null | undefined,
  ): Promise<number> {
    const sending = this.#send(spans, rewrite).catch((error: unknown) => {
      this.#hookError('export', error);
      return spans.length;
    });
    this.#inFlight.add(sending);
    try {
      return await sending;
    } finally {
      this.#inFlight.delete(sending);
    }
  }

  /** Waits until every send in flight has ended. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  /** Waits for the sends in flight, then refuses further exports. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.forceFlush();
  }

  /**
   * Ends every send in flight now (at an exit deadline): their spans count as failed. Sends
   * started later are not affected.
   */
  abort(reason: string): void {
    this.#transport.abort(reason);
  }

  async #send(
    spans: readonly ReadableSpan[],
    rewrite: ((span: ReadableSpan) => SpanRewrite | null | undefined) | undefined,
  ): Promise<number> {
    await this.#settleResources(spans);
    const groups = new Map<string, Group>();
    let sliceStart = performance.now();
    for (let index = 0; index < spans.length; index++) {
      // Translation and redaction run in slices so a large batch never stalls the event loop.
      if (
        index % PREPARE_CHECK === PREPARE_CHECK - 1 &&
        performance.now() - sliceStart >= PREPARE_BUDGET_MS
      ) {
        await nextTurn();
        sliceStart = performance.now();
      }
      const span = spans[index] as ReadableSpan;
      const change = rewrite?.(span);
      if (change !== null) this.#prepare(span, change, groups);
    }
    const lost = await Promise.all(
      [...groups.values()].map((g) => this.#transport.send(g.spans, g.routing)),
    );
    return lost.reduce((sum, n) => sum + n, 0);
  }

  /** Redacts and routes one span, and adds it to its route's group. */
  #prepare(span: ReadableSpan, change: SpanRewrite | undefined, groups: Map<string, Group>): void {
    const redactor = this.#redactor;
    const name = redactor.scrubKey(change?.name ?? span.name);
    const own = change?.attributes ?? span.attributes;
    const keys = Object.keys(own);
    const attributes = redactor.attributes(own, name, keys);
    const route = this.#routes.routeOf(attributes);
    const session = attributes[G.SESSION_ID] ?? attributes[GenAiAttributes.CONVERSATION_ID];
    const base = span.resource;
    const final = !base.asyncAttributesPending || this.#unsettled.has(base);
    const resource = this.#routes.resourceFor(
      base,
      () => redactor.resource(base, final),
      final,
      route,
      typeof session === 'string' && session ? session : undefined,
    );
    const prepared = new PreparedSpan(
      span,
      name,
      attributes,
      redactor.status(change?.status ?? span.status),
      change && 'parentSpanContext' in change ? change.parentSpanContext : span.parentSpanContext,
      redactor.parts(change?.events ?? span.events, name),
      redactor.parts(span.links, name),
      resource,
      redactor.scope(span.instrumentationScope),
      redactor.context(span.spanContext()),
      // The encoder walks the same keys, unless redaction changed the attributes.
      attributes === own ? keys : undefined,
    );
    let group = groups.get(route.key);
    if (!group) {
      group = { routing: route.routing, spans: [] };
      groups.set(route.key, group);
    }
    group.spans.push(prepared);
  }

  // Resource detectors may still be resolving. Redacting or sending before they settle would ship
  // a resource without those attributes, and a redacted snapshot could not be cached.
  async #settleResources(spans: readonly ReadableSpan[]): Promise<void> {
    let pending: Set<Resource> | undefined;
    let last: Resource | undefined;
    for (const span of spans) {
      const resource = span.resource;
      // Spans of one provider share its resource: look at each one once.
      if (resource === last) continue;
      last = resource;
      if (
        resource.asyncAttributesPending &&
        resource.waitForAsyncAttributes &&
        !this.#unsettled.has(resource)
      ) {
        pending ??= new Set();
        pending.add(resource);
      }
    }
    if (!pending) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#settleLimitMs);
      timer.unref?.();
    });
    // A detector that fails costs its attributes, never the batch.
    const settled = Promise.all(
      [...pending].map((r) => r.waitForAsyncAttributes?.().catch(() => undefined)),
    );
    await Promise.race([settled, limit]);
    clearTimeout(timer);
    for (const resource of pending) {
      if (!resource.asyncAttributesPending) continue;
      // A detector that never answers must not hold every later export too.
      this.#unsettled.add(resource);
      this.#log.log(
        'resource-pending',
        'a resource detector has not finished; spans are exported without its attributes.',
      );
    }
  }

  #hookError(where: string, error: unknown): void {
    this.#stats.hookErrors++;
    this.#log.log(
      `hook:${where}`,
      `${where} failed and was skipped (tracing continues): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
