import {
  type Attributes,
  type AttributeValue,
  type BatchObservableResult,
  type Context,
  createTraceState,
  type Link,
  metrics,
  propagation,
  type SpanContext,
  type SpanStatus,
  TraceFlags,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import type { AdapterHost, GalileoAdapter, SpanTranslation } from '../adapter/galileo-adapter.js';
import { sessionOf } from '../adapter/session.js';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';
import type { GalileoSpanProcessorOptions } from '../config/galileo-options.js';
import { type ResolvedGalileoConfig, resolveGalileoConfig } from '../config/resolve-config.js';
import { OtlpHttpTransport } from '../exporter/otlp-http-transport.js';
import { warnOnceIfApiCopiesClash } from '../internal/api-copies.js';
import { cleanId } from '../internal/clean-id.js';
import { estimateBytes } from '../internal/estimate-bytes.js';
import { registerForExit } from '../internal/exit-hooks.js';
import { DedupLogger, type GalileoLogger } from '../internal/logger.js';
import { nextTurn } from '../internal/next-turn.js';
import {
  isSecretKey,
  REDACTED,
  type RedactFunction,
  redactSecretText,
} from '../redaction/redact.js';
import { type ExportStats, emptyStats } from './export-stats.js';

/** Options of the processor, plus where its warnings go. */
export interface GalileoProcessorOptions extends GalileoSpanProcessorOptions {
  /**
   * Where warnings (export failures, drops) are printed, once per cause per minute; `false`
   * sends them only to the OTel `diag` logger.
   * @defaultValue `console`
   */
  logger?: GalileoLogger | false | undefined;
}

interface Queued {
  span: ReadableSpan;
  bytes: number;
}

interface StartDecision {
  drop: boolean;
  parentSpanId: string | undefined;
  parentOfDropped: string | undefined;
}

// Where a span goes: its routing headers, and the key that groups spans going there.
interface Route {
  project: string;
  logStream: string | undefined;
  experimentId: string | undefined;
  key: string;
  routing: Record<string, string>;
}

// Merged resources of one base resource, by route key then session id; `size` counts both.
interface ResourceCache {
  size: number;
  byRoute: Map<string, Map<string, Resource>>;
}

// What an attribute key means for its value: nothing, its value is replaced (the key names a
// secret, with `redactSecrets`), or the attribute is renamed (the key contains the API key).
const PLAIN_KEY = 0;
const SECRET_NAME_KEY = 1;
const API_KEY_KEY = 2;
type KeyKind = typeof PLAIN_KEY | typeof SECRET_NAME_KEY | typeof API_KEY_KEY;

const MAX_CONCURRENT_EXPORTS = 2;
const MAX_DECISIONS = 50_000;
// Real Galileo keys are long; scrubbing a one-letter placeholder key would shred ordinary text.
const MIN_SCRUBBED_KEY_LENGTH = 4;
// Resource attributes describe the process, not one span, so the redact hook sees no span name.
const RESOURCE_SPAN_NAME = '';
const PREPARE_SLICE = 64;
// Merged resources kept per base resource (route and session pairs), so sessions cannot grow it.
const RESOURCE_CACHE_LIMIT = 1001;
const RESOURCE_SETTLE_LIMIT_MS = 5_000;
// Distinct attribute keys whose kind is remembered (apps use tens to a few hundred), and the
// longest key remembered, so the cache stays small in bytes too.
const KEY_KIND_LIMIT = 4096;
const KEY_KIND_MAX_KEY_LENGTH = 256;
// Numbers each processor's self-metric series in this process.
let processorInstances = 0;

/**
 * The Galileo span processor: stamps routing attributes as spans start, lets framework
 * adapters translate them, redacts secrets, batches by routing group and exports OTLP protobuf
 * over HTTP with Galileo's headers. Works as a plain `SpanProcessor` on any OTel JS SDK 2.x or
 * 3.x provider.
 *
 * @example
 * const provider = new TracerProvider({ spanProcessors: [new GalileoSpanProcessor()] });
 */
export class GalileoSpanProcessor implements SpanProcessor {
  readonly #config: ResolvedGalileoConfig;
  readonly #adapters: readonly GalileoAdapter[];
  readonly #log: DedupLogger;
  readonly #stats: ExportStats = emptyStats();
  readonly #transport: OtlpHttpTransport;
  readonly #redact: RedactFunction | undefined;
  readonly #apiKey: string | undefined;
  readonly #secrets: string[];
  readonly #decisions = new Map<string, StartDecision>();
  readonly #resources = new WeakMap<Resource, ResourceCache>();
  readonly #cleanResources = new WeakMap<Resource, Resource>();
  readonly #cleanScopes = new WeakMap<InstrumentationScope, InstrumentationScope>();
  readonly #unsettledResources = new WeakSet<Resource>();
  readonly #inFlight = new Set<Promise<void>>();
  #inFlightSpans = 0;
  readonly #keyKinds = new Map<string, KeyKind>();
  #lastRoute: Route | undefined;
  #queue: Queued[] = [];
  #queueBytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #dropEpisode = false;
  #removeExitHooks: (() => void) | undefined;
  #removeMetrics: (() => void) | undefined;

  constructor(options: GalileoProcessorOptions = {}) {
    this.#config = resolveGalileoConfig(options);
    const apiKey = this.#config.apiKey;
    this.#apiKey = apiKey.length >= MIN_SCRUBBED_KEY_LENGTH ? apiKey : undefined;
    this.#secrets = this.#apiKey ? [this.#apiKey] : [];
    this.#log = new DedupLogger(options.logger ?? console, this.#secrets);
    this.#redact = options.redact;
    this.#transport = new OtlpHttpTransport(
      {
        endpoint: this.#config.endpoint,
        compression: this.#config.compression,
        timeoutMillis: this.#config.exportTimeoutMillis,
        headers: this.#config.headers,
        apiKey: this.#config.apiKey,
      },
      this.#stats,
      this.#log,
    );
    this.#adapters = [...(options.adapters ?? [])];
    const host: AdapterHost = {
      log: (key, message) => this.#log.log(`adapter:${key}`, message),
      routing: {
        project: this.#config.project,
        logStream: this.#config.logStream,
        experimentId: this.#config.experimentId,
      },
    };
    for (const adapter of this.#adapters) {
      this.#guard(adapter, 'install', () => adapter.install?.(host));
    }
    this.#registerMetrics();
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
      pending: () => (this.#closed ? 0 : this.#queue.length) + this.#inFlightSpans,
      delivered: () => this.#stats.spansExported,
      undelivered: () =>
        this.#stats.spansFailed +
        this.#stats.spansDropped +
        this.#stats.spansOversized +
        this.#stats.spansRejected,
      flush: () => this.forceFlush(),
      shutdown: () => this.shutdown(),
      abandon: (reason) => this.#abandon(reason),
      flushOnExit: this.#config.flushOnExit,
      timeoutMillis: this.#config.exitTimeoutMillis,
      warn: (message) => this.#log.log(`exit:${message}`, message),
    });
  }

  // The process is ending and cannot wait: what is queued is counted as failed, and exports in
  // flight end now (their spans count as failed in the transport).
  #abandon(reason: string): void {
    const queued = this.#queue.length;
    if (queued > 0) {
      this.#queue = [];
      this.#queueBytes = 0;
      this.#stats.spansFailed += queued;
      this.#log.log('abandoned', `gave up on ${queued} queued spans: ${reason}`);
    }
    this.#transport.abort(reason);
  }

  #checkApiCopies(): boolean {
    return warnOnceIfApiCopiesClash((message) => this.#log.log('api-copies', message));
  }

  // Self-metrics through the global OTel MeterProvider (a no-op unless the app registered one).
  // Each processor reports its own series (`otel.component.name`, as the OTel SDK's own
  // processor metrics do): two processors in one process would otherwise overwrite each
  // other's counts. The callbacks are removed at shutdown, so a closed processor stops reporting.
  #registerMetrics(): void {
    try {
      const meter = metrics.getMeter('@galileo-otel/core');
      const stats = this.#stats;
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
        result.observe(queued, this.#queue.length, component);
      };
      const observables = [spans, requests, queued];
      meter.addBatchObservableCallback(observe, observables);
      this.#removeMetrics = () => meter.removeBatchObservableCallback(observe, observables);
    } catch (error) {
      this.#hookError('metrics', error);
    }
  }

  /** The OTLP URL spans are sent to. */
  get endpoint(): string {
    return this.#config.endpoint;
  }

  /** A snapshot of the counters (queued, exported, dropped, failed, retried, ...). */
  stats(): ExportStats & { queueLength: number; queueBytes: number } {
    return { ...this.#stats, queueLength: this.#queue.length, queueBytes: this.#queueBytes };
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      const attributes = (span as unknown as ReadableSpan).attributes;
      const config = this.#config;
      if (attributes[G.PROJECT] === undefined) span.setAttribute(G.PROJECT, config.project);
      if (config.experimentId) {
        if (attributes[G.EXPERIMENT_ID] === undefined) {
          span.setAttribute(G.EXPERIMENT_ID, config.experimentId);
        }
      } else if (attributes[G.LOG_STREAM] === undefined && config.logStream) {
        span.setAttribute(G.LOG_STREAM, config.logStream);
      }
      this.#stampSession(span, attributes, parentContext);
      if (this.#adapters.length > 0) this.#adapterStart(span, parentContext);
    } catch (error) {
      this.#hookError('onStart', error);
    }
  }

  onEnding(span: Span): void {
    for (const adapter of this.#adapters) {
      if (adapter.onEnding) this.#guard(adapter, 'onEnding', () => adapter.onEnding?.(span));
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      if (this.#closed) return;
      const context = span.spanContext();
      if ((context.traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (this.#decisions.size > 0 && this.#decisions.get(context.spanId)?.drop) {
        this.#stats.spansFiltered++;
        return;
      }
      const bytes = estimateBytes(span);
      if (
        this.#queue.length >= this.#config.maxQueueSize ||
        this.#queueBytes + bytes > this.#config.maxQueueBytes
      ) {
        this.#stats.spansDropped++;
        if (!this.#dropEpisode) {
          this.#dropEpisode = true;
          this.#log.log(
            'queue-full',
            `export queue full (${this.#queue.length} spans, ${this.#queueBytes} bytes): dropping spans until it drains. Raise maxQueueSize / maxQueueBytes or check the endpoint; processor.stats() counts the drops.`,
          );
        }
        return;
      }
      this.#dropEpisode = false;
      this.#queue.push({ span, bytes });
      this.#queueBytes += bytes;
      this.#stats.spansQueued++;
      if (
        this.#config.exportMode === 'immediate' ||
        this.#queue.length >= this.#config.maxExportBatchSize ||
        this.#queueBytes >= this.#config.maxExportBatchBytes
      ) {
        this.#exportSoon();
      } else {
        this.#arm();
      }
    } catch (error) {
      this.#hookError('onEnd', error);
    }
  }

  /** Exports everything queued and waits until every export in flight has finished. */
  async forceFlush(): Promise<void> {
    // A flush with nothing queued may be the only sign of an app whose spans all go to a copy
    // of the API that cannot use the registered globals.
    this.#checkApiCopies();
    for (const adapter of this.#adapters) {
      if (adapter.forceFlush) await this.#guardAsync(adapter, 'forceFlush', adapter.forceFlush);
    }
    while (this.#queue.length > 0) {
      if (this.#inFlight.size >= MAX_CONCURRENT_EXPORTS) await Promise.race(this.#inFlight);
      else this.#startExport();
    }
    await Promise.all(this.#inFlight);
  }

  /** Flushes, then stops accepting spans. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    // Adapters first: a bridge ends the spans of runs still open, and those must be exported.
    for (const adapter of this.#adapters) {
      if (adapter.shutdown) await this.#guardAsync(adapter, 'shutdown', adapter.shutdown);
    }
    await this.forceFlush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    // Only now: a signal handler that exits when it sees no other listener must wait for us.
    this.#removeExitHooks?.();
    try {
      this.#removeMetrics?.();
    } catch (error) {
      this.#hookError('metrics', error);
    }
  }

  #stampSession(span: Span, attributes: Attributes, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (attributes[G.SESSION_ID] === undefined) {
      const sessionId = sessionOf(baggage) ?? this.#config.sessionId;
      if (sessionId) {
        span.setAttribute(G.SESSION_ID, sessionId);
        span.setAttribute(G.OTEL_SESSION_ID, sessionId);
      }
    }
    if (baggage && attributes[G.USER_ID] === undefined) {
      const userId = cleanId(baggage.getEntry(G.USER_ID)?.value);
      if (userId) span.setAttribute(G.USER_ID, userId);
    }
  }

  #adapterStart(span: Span, parentContext: Context): void {
    let decision: StartDecision | undefined;
    for (const adapter of this.#adapters) {
      if (!adapter.onStart) continue;
      const made = this.#guard(adapter, 'onStart', () => adapter.onStart?.(span, parentContext));
      if (made?.drop || made?.parentSpanId) {
        decision ??= { drop: false, parentSpanId: undefined, parentOfDropped: undefined };
        if (made.drop) decision.drop = true;
        if (made.parentSpanId) decision.parentSpanId = made.parentSpanId;
      }
    }
    if (!decision) return;
    const readable = span as unknown as ReadableSpan;
    decision.parentOfDropped = decision.parentSpanId ?? readable.parentSpanContext?.spanId;
    // Bounded: the oldest decisions go first. A trace whose wrapper span outlives 50k newer
    // decisions loses only the re-parenting of late children, never spans.
    if (this.#decisions.size >= MAX_DECISIONS) {
      const oldest = this.#decisions.keys().next().value;
      if (oldest !== undefined) this.#decisions.delete(oldest);
    }
    this.#decisions.set(span.spanContext().spanId, decision);
  }

  #arm(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#exportSoon();
    }, this.#config.scheduledDelayMillis);
    this.#timer.unref?.();
  }

  #exportSoon(): void {
    while (this.#queue.length > 0 && this.#inFlight.size < MAX_CONCURRENT_EXPORTS) {
      this.#startExport();
    }
    if (this.#queue.length > 0) this.#arm();
  }

  #startExport(): void {
    const batch = this.#takeBatch();
    if (batch.length === 0) return;
    this.#inFlightSpans += batch.length;
    const done = this.#exportBatch(batch)
      .catch((error) => this.#hookError('export', error))
      .finally(() => {
        this.#inFlightSpans -= batch.length;
        this.#inFlight.delete(done);
        // Immediate mode promises an export as each span ends: spans that ended while every
        // export slot was busy go out now, not after scheduledDelayMillis.
        if (
          this.#config.exportMode === 'immediate' ||
          this.#queue.length >= this.#config.maxExportBatchSize ||
          this.#queueBytes >= this.#config.maxExportBatchBytes
        ) {
          this.#exportSoon();
        } else if (this.#queue.length > 0) {
          this.#arm();
        }
      });
    this.#inFlight.add(done);
  }

  #takeBatch(): ReadableSpan[] {
    const { maxExportBatchSize, maxExportBatchBytes } = this.#config;
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < maxExportBatchSize) {
      const next = this.#queue[count] as Queued;
      if (count > 0 && bytes + next.bytes > maxExportBatchBytes) break;
      bytes += next.bytes;
      count++;
    }
    const taken = this.#queue.splice(0, count);
    this.#queueBytes -= bytes;
    return taken.map((q) => q.span);
  }

  async #exportBatch(batch: ReadableSpan[]): Promise<void> {
    // The app registers its provider after constructing this processor; check again (a no-op
    // once some API copy has registered).
    this.#checkApiCopies();
    await this.#settleResources(batch);
    const groups = new Map<string, { routing: Record<string, string>; spans: ReadableSpan[] }>();
    for (let index = 0; index < batch.length; index++) {
      // Translation and redaction run in slices so a large batch never stalls the event loop.
      if (index > 0 && index % PREPARE_SLICE === 0) await nextTurn();
      const span = batch[index] as ReadableSpan;
      const prepared = this.#prepare(span);
      if (!prepared) continue;
      let group = groups.get(prepared.key);
      if (!group) {
        group = { routing: prepared.routing, spans: [] };
        groups.set(prepared.key, group);
      }
      group.spans.push(prepared.span);
    }
    await Promise.all([...groups.values()].map((g) => this.#transport.send(g.spans, g.routing)));
  }

  #prepare(
    span: ReadableSpan,
  ): { span: ReadableSpan; key: string; routing: Record<string, string> } | undefined {
    let translation: SpanTranslation | undefined;
    for (const adapter of this.#adapters) {
      if (!adapter.translate) continue;
      const result = this.#guard(adapter, 'translate', () => adapter.translate?.(span));
      if (result) translation = translation ? mergeTranslations(translation, result) : result;
    }
    if (translation?.drop) {
      this.#stats.spansFiltered++;
      return undefined;
    }
    let attributes: Attributes = span.attributes;
    if (translation?.attributes || translation?.removeAttributes) {
      attributes = { ...attributes, ...translation.attributes };
      for (const key of translation.removeAttributes ?? []) delete attributes[key];
    }
    const name = this.#scrubKey(translation?.name ?? span.name);
    attributes = this.#cleanAttributes(attributes, name);
    const events = span.events.length > 0 ? this.#cleanParts(span.events, name) : span.events;
    const links = span.links.length > 0 ? this.#cleanParts(span.links, name) : span.links;

    const route = this.#routeOf(attributes);
    const sessionId = stringOr(attributes[G.SESSION_ID], undefined);
    const parentSpanContext = this.#parentOf(span);
    const resource = this.#resourceFor(span.resource, route, sessionId);
    const status = this.#cleanStatus(translation?.status ?? span.status);
    const spanContext = this.#cleanContext(span.spanContext());
    const view: ReadableSpan = {
      name,
      kind: span.kind,
      spanContext: () => spanContext,
      parentSpanContext,
      startTime: span.startTime,
      endTime: span.endTime,
      status,
      attributes,
      links,
      events,
      duration: span.duration,
      ended: true,
      resource,
      instrumentationScope: this.#cleanScope(span.instrumentationScope),
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
    return { span: view, key: route.key, routing: route.routing };
  }

  #routeOf(attributes: Attributes): Route {
    const config = this.#config;
    const project = stringOr(attributes[G.PROJECT], config.project);
    const experimentId = stringOr(attributes[G.EXPERIMENT_ID], config.experimentId);
    const logStream = experimentId
      ? undefined
      : stringOr(attributes[G.LOG_STREAM], config.logStream);
    // Spans of one app nearly always route alike: reusing the last route saves building and
    // hashing its key per span. The routing headers are read, never changed, so it is shared.
    const last = this.#lastRoute;
    if (
      last !== undefined &&
      last.project === project &&
      last.logStream === logStream &&
      last.experimentId === experimentId
    ) {
      return last;
    }
    const routing: Record<string, string> = { project };
    if (experimentId) routing.experimentid = experimentId;
    else routing.logstream = logStream ?? 'default';
    const key = `${project}\u0000${logStream ?? ''}\u0000${experimentId ?? ''}`;
    const route = { project, logStream, experimentId, key, routing };
    this.#lastRoute = route;
    return route;
  }

  // Resource detectors may still be resolving. Redacting or sending before they settle would ship
  // a resource without those attributes, and a redacted snapshot could not be cached.
  async #settleResources(spans: ReadableSpan[]): Promise<void> {
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
        !this.#unsettledResources.has(resource)
      ) {
        pending ??= new Set();
        pending.add(resource);
      }
    }
    if (!pending) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(
        resolve,
        Math.min(RESOURCE_SETTLE_LIMIT_MS, this.#config.exportTimeoutMillis),
      );
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
      this.#unsettledResources.add(resource);
      this.#log.log(
        'resource-pending',
        'a resource detector has not finished; spans are exported without its attributes.',
      );
    }
  }

  #parentOf(span: ReadableSpan): SpanContext | undefined {
    const original = span.parentSpanContext;
    if (this.#decisions.size === 0) return original;
    const own = this.#decisions.get(span.spanContext().spanId);
    let parentId = own?.parentSpanId ?? original?.spanId;
    const seen = new Set<string>();
    while (parentId) {
      const decision = this.#decisions.get(parentId);
      if (!decision?.drop || seen.has(parentId)) break;
      seen.add(parentId);
      parentId = decision.parentOfDropped;
    }
    if (parentId === original?.spanId) return original;
    if (!parentId) return undefined;
    return {
      traceId: span.spanContext().traceId,
      spanId: parentId,
      traceFlags: span.spanContext().traceFlags,
      isRemote: false,
    };
  }

  #resourceFor(base: Resource, route: Route, sessionId: string | undefined): Resource {
    let cache = this.#resources.get(base);
    if (!cache) {
      cache = { size: 0, byRoute: new Map() };
      this.#resources.set(base, cache);
    }
    // Two levels, so no per-span key string is built: by route, then by session.
    const sessionKey = sessionId ?? '';
    let merged = cache.byRoute.get(route.key)?.get(sessionKey);
    if (!merged) {
      const extra: Attributes = { [G.PROJECT]: route.project };
      if (route.experimentId) extra[G.EXPERIMENT_ID] = route.experimentId;
      else if (route.logStream) extra[G.LOG_STREAM] = route.logStream;
      if (sessionId) extra[G.SESSION_ID] = sessionId;
      merged = this.#cleanResource(base).merge(resourceFromAttributes(extra));
      // The redacted copy of a resource still detecting attributes is a snapshot: rebuild it.
      if (this.#isFinal(base)) {
        if (cache.size >= RESOURCE_CACHE_LIMIT) {
          cache.byRoute.clear();
          cache.size = 0;
        }
        let bySession = cache.byRoute.get(route.key);
        if (!bySession) {
          bySession = new Map();
          cache.byRoute.set(route.key, bySession);
        }
        bySession.set(sessionKey, merged);
        cache.size++;
      }
    }
    return merged;
  }

  // Redacted once per Resource object: every span of a provider shares it. The routing
  // attributes are merged after this, so a redact hook cannot strip them from the resource.
  #cleanResource(base: Resource): Resource {
    const known = this.#cleanResources.get(base);
    if (known) return known;
    const attributes = base.attributes;
    const cleaned = this.#cleanAttributes(attributes, RESOURCE_SPAN_NAME);
    const out =
      cleaned === attributes
        ? base
        : resourceFromAttributes(cleaned, base.schemaUrl ? { schemaUrl: base.schemaUrl } : {});
    if (this.#isFinal(base)) this.#cleanResources.set(base, out);
    return out;
  }

  // Settled, or given up on: its attributes will not change before export.
  #isFinal(resource: Resource): boolean {
    return !resource.asyncAttributesPending || this.#unsettledResources.has(resource);
  }

  // The key is scrubbed whatever `redactSecrets` says: that switch is for the heuristic filter,
  // and the key is the one secret the processor knows for certain.
  #scrubKey(text: string): string {
    const key = this.#apiKey;
    return key !== undefined && text.includes(key) ? text.split(key).join(REDACTED) : text;
  }

  #cleanStatus(status: SpanStatus): SpanStatus {
    const message = status.message;
    if (!message) return status;
    const cleaned = this.#cleanText(message, this.#config.redactSecrets, Number.POSITIVE_INFINITY);
    return cleaned === message ? status : { ...status, message: cleaned };
  }

  #cleanAttributes(attributes: Attributes, spanName: string): Attributes {
    let out: Attributes | undefined;
    const redactSecrets = this.#config.redactSecrets;
    const max = this.#config.maxAttributeLength;
    // Object.keys, not for-in: SDK attribute objects are in dictionary mode (built key by key),
    // where for-in re-checks every key it yields.
    const keys = Object.keys(attributes);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const value = attributes[key];
      if (value === undefined) continue;
      const kind = this.#keyKind(key);
      if (kind === API_KEY_KEY) {
        // A secret used as an attribute *name*: rename it rather than ship the key.
        out ??= { ...attributes };
        delete out[key];
        out[redactSecretText(key, this.#secrets)] = REDACTED;
        continue;
      }
      let next: AttributeValue | undefined = value;
      if (kind === SECRET_NAME_KEY) next = REDACTED;
      else if (typeof value === 'string') next = this.#cleanText(value, redactSecrets, max);
      else if (Array.isArray(value)) next = this.#cleanArray(value, redactSecrets, max);
      if (this.#redact && next !== undefined) {
        try {
          next = this.#redact(key, next, { name: spanName });
        } catch (error) {
          next = REDACTED;
          this.#hookError('redact', error);
        }
      }
      if (next !== value) {
        out ??= { ...attributes };
        if (next === undefined) delete out[key];
        else out[key] = next;
      }
    }
    return out ?? attributes;
  }

  // What a key asks of its value. Keys repeat on every span, so the answer is remembered, in a
  // map cleared when full: a bounded cache that only ever holds answers the rules would give.
  #keyKind(key: string): KeyKind {
    let kind = this.#keyKinds.get(key);
    if (kind === undefined) {
      if (this.#apiKey !== undefined && key.includes(this.#apiKey)) kind = API_KEY_KEY;
      else if (this.#config.redactSecrets && isSecretKey(key)) kind = SECRET_NAME_KEY;
      else kind = PLAIN_KEY;
      if (key.length <= KEY_KIND_MAX_KEY_LENGTH) {
        if (this.#keyKinds.size >= KEY_KIND_LIMIT) this.#keyKinds.clear();
        this.#keyKinds.set(key, kind);
      }
    }
    return kind;
  }

  #cleanArray(value: readonly unknown[], redactSecrets: boolean, max: number): AttributeValue {
    let cleaned: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'string') continue;
      const c = this.#cleanText(item, redactSecrets, max);
      if (c === item) continue;
      cleaned ??= value.slice();
      cleaned[i] = c;
    }
    return (cleaned ?? value) as AttributeValue;
  }

  #cleanText(text: string, redactSecrets: boolean, max: number): string {
    let out = redactSecrets ? redactSecretText(text, this.#secrets) : this.#scrubKey(text);
    if (out.length > max) {
      out = `${out.slice(0, max)}…[truncated ${out.length - max} chars]`;
    }
    return out;
  }

  // Events and links carry attributes of their own, events a name and links a trace state:
  // cleaned like the span's.
  #cleanParts<T extends TimedEvent | Link>(parts: T[], spanName: string): T[] {
    let changed = false;
    const cleaned = parts.map((part) => {
      const original = 'name' in part ? part.name : undefined;
      const name = original === undefined ? undefined : this.#scrubKey(original);
      const attributes = part.attributes && this.#cleanAttributes(part.attributes, spanName);
      const linked = 'context' in part ? part.context : undefined;
      const context = linked && this.#cleanContext(linked);
      if (name === original && attributes === part.attributes && context === linked) return part;
      changed = true;
      const out: T = { ...part, attributes };
      if (name !== undefined) (out as TimedEvent).name = name;
      if (context !== undefined) (out as Link).context = context;
      return out;
    });
    return changed ? cleaned : parts;
  }

  // A library may put anything in `tracestate`, the API key included: members that carry it are
  // left out (the key cannot be cut out of a member and leave it meaningful).
  #cleanContext(spanContext: SpanContext): SpanContext {
    const state = spanContext.traceState;
    const key = this.#apiKey;
    if (state === undefined || key === undefined) return spanContext;
    const serialized = state.serialize();
    if (!serialized.includes(key)) return spanContext;
    const kept = serialized
      .split(',')
      .filter((member) => !member.includes(key))
      .join(',');
    return { ...spanContext, traceState: createTraceState(kept) };
  }

  // Scope names and versions come from libraries too; scrubbed once per scope object.
  #cleanScope(scope: InstrumentationScope): InstrumentationScope {
    const key = this.#apiKey;
    if (key === undefined) return scope;
    let clean = this.#cleanScopes.get(scope);
    if (!clean) {
      const name = this.#scrubKey(scope.name);
      const version = scope.version === undefined ? undefined : this.#scrubKey(scope.version);
      const schemaUrl = scope.schemaUrl === undefined ? undefined : this.#scrubKey(scope.schemaUrl);
      clean =
        name === scope.name && version === scope.version && schemaUrl === scope.schemaUrl
          ? scope
          : { name, version, schemaUrl };
      this.#cleanScopes.set(scope, clean);
    }
    return clean;
  }

  #guard<T>(adapter: GalileoAdapter, hook: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.#hookError(`${adapter.name}.${hook}`, error);
      return undefined;
    }
  }

  async #guardAsync(adapter: GalileoAdapter, hook: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn.call(adapter);
    } catch (error) {
      this.#hookError(`${adapter.name}.${hook}`, error);
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

function stringOr<T extends string | undefined>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value ? value : fallback;
}

function mergeTranslations(a: SpanTranslation, b: SpanTranslation): SpanTranslation {
  return {
    name: b.name ?? a.name,
    attributes: { ...a.attributes, ...b.attributes },
    removeAttributes: [...(a.removeAttributes ?? []), ...(b.removeAttributes ?? [])],
    status: b.status ?? a.status,
    drop: Boolean(a.drop || b.drop),
  };
}
