import { GenAiAttributes as A, recordSpanError } from '@galileo-otel/core';
import type {
  CreateSpanOptions,
  ObservabilityBridge,
  ObservabilityExporter,
  SpanIds,
  SpanType,
  TracingEvent,
} from '@mastra/core/observability';
import {
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { BoundedSet } from './internal/bounded-set.js';
import { mapSpan, startName } from './internal/map-span.js';
import { type MastraSpanData, type SpanRole, spanRoles } from './internal/mastra-span.js';

const TRACER_NAME = '@galileo-otel/adapter-mastra';
const TRACER_VERSION = '0.1.0';
const OPERATION_AT_START: Partial<Record<SpanRole, string>> = {
  agent: 'invoke_agent',
  llm: 'chat',
  tool: 'execute_tool',
};
const NO_PROVIDER =
  'no OpenTelemetry tracer provider is registered, so Mastra spans are not exported. ' +
  "Call registerGalileo() from '@galileo-otel/core' before the first Mastra run, or pass " +
  'galileoExporter({ tracerProvider }) the provider that holds GalileoSpanProcessor.';

/** Options of {@link galileoExporter} / {@link GalileoMastraExporter}. */
export interface GalileoMastraExporterOptions {
  /**
   * Name Mastra shows for this exporter in its logs.
   * @defaultValue `'galileo'`
   */
  name?: string | undefined;
  /**
   * Tracer provider the spans are created on (the one holding `GalileoSpanProcessor`).
   * Resolved lazily at the first span, never at construction.
   * @defaultValue the global provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Which Mastra level becomes the Galileo llm span: `model_inference` (one per provider call,
   * per-call usage) or `model_generation` (the whole model loop, summed usage; for Mastra
   * versions that do not emit `model_inference`). The other model levels are always dropped.
   * @defaultValue `'model_inference'`
   */
  llmSpanType?: 'model_inference' | 'model_generation' | undefined;
  /**
   * Extra Mastra span types to drop (children are re-parented to the nearest kept ancestor),
   * e.g. `['processor_run', 'memory_operation']`. `model_chunk`, `model_step` and the model
   * level that is not {@link GalileoMastraExporterOptions.llmSpanType} are always dropped.
   * @defaultValue `[]`
   */
  dropSpanTypes?: readonly string[] | undefined;
  /**
   * Most open spans kept across all runs; past it the oldest trace's open spans are ended
   * (marked `mastra.incomplete`) and forgotten, so a leak in a run cannot grow memory.
   * @defaultValue `10000`
   */
  maxOpenSpans?: number | undefined;
  /**
   * Where one-time warnings go; `false` silences them.
   * @defaultValue `console`
   */
  logger?: { warn(message: string): void } | false | undefined;
}

interface Entry {
  readonly traceId: string;
  readonly type: string;
  readonly role: SpanRole;
  /** The OTel span (kept spans only). */
  readonly span: Span | undefined;
  /** Context children and tool code run in: the own span for kept spans, the ancestor's else. */
  readonly ctx: Context;
  /** Input of a dropped `model_step`: the messages its llm span shows. */
  input?: unknown;
}

/**
 * A Mastra observability exporter **and** bridge that turns Mastra's span events into
 * Galileo-shaped OpenTelemetry spans on the app's tracer provider: `agent_run` → agent,
 * `workflow_*` → workflow, `model_inference` → llm, `tool_call` → tool, model wrapper levels
 * dropped with their children re-parented.
 *
 * Register it as Mastra's `bridge` (recommended): runs then join the active OTel context (e.g. an
 * incoming `traceparent`) and code inside a tool runs with the tool span active, so outbound
 * HTTP spans nest under it. Registered in `exporters` instead, it still exports every span but
 * joins a caller's trace only through `tracingOptions` (see `tracingOptionsFromContext`).
 */
export class GalileoMastraExporter implements ObservabilityExporter, ObservabilityBridge {
  /** Name Mastra shows for this exporter. */
  readonly name: string;
  readonly #provider: TracerProvider | undefined;
  readonly #role: (type: string) => SpanRole;
  readonly #maxOpenSpans: number;
  readonly #logger: { warn(message: string): void } | undefined;
  readonly #logged = new Set<string>();
  /** Open spans by Mastra span id. */
  readonly #entries = new Map<string, Entry>();
  /** Open span ids per trace, oldest trace first (for eviction). */
  readonly #traces = new Map<string, Set<string>>();
  /**
   * Spans already ended (or given up on), so a repeated `span_ended` (the same instance in both
   * `bridge` and `exporters`) or a late event of an evicted run never starts a second span.
   */
  readonly #done: BoundedSet<string>;
  #tracer: Tracer | undefined;

  constructor(options: GalileoMastraExporterOptions = {}) {
    this.name = options.name ?? 'galileo';
    this.#provider = options.tracerProvider;
    this.#role = spanRoles({
      dropSpanTypes: options.dropSpanTypes ?? [],
      llmSpanType: options.llmSpanType ?? 'model_inference',
    });
    this.#maxOpenSpans = Math.max(1, options.maxOpenSpans ?? 10_000);
    this.#done = new BoundedSet(Math.max(1_000, this.#maxOpenSpans));
    this.#logger = options.logger === false ? undefined : (options.logger ?? console);
  }

  /** Number of spans currently open (for tests and diagnostics). */
  get openSpans(): number {
    return this.#entries.size;
  }

  /** Number of traces with open spans (for tests and diagnostics). */
  get openTraces(): number {
    return this.#traces.size;
  }

  /**
   * Bridge hook: starts the OTel span as Mastra creates its span, parented on the Mastra parent's
   * OTel span or, for a root, on the active OTel context; Mastra adopts the OTel ids.
   */
  createSpan(options: CreateSpanOptions<SpanType>): SpanIds | undefined {
    try {
      const type = String(options.type);
      const role = this.#role(type);
      // Dropped levels get no OTel span; Mastra keeps its own ids for them and their children
      // find the nearest kept ancestor through Mastra's parent chain.
      if (role === 'drop') return undefined;
      const parentCtx = this.#parentForCreate(options);
      const span = this.#startSpan(
        startName(
          {
            type,
            name: options.name,
            entityName: options.entityName,
            entityId: options.entityId,
            attributes: options.attributes as Record<string, unknown> | undefined,
          },
          role,
        ),
        role,
        parentCtx,
        undefined,
      );
      // A no-op tracer (no provider registered yet) hands back the parent's ids: never give
      // those to Mastra, or every span of the run would share one id.
      if (!span.isRecording()) return undefined;
      const own = span.spanContext();
      this.#remember(own.spanId, {
        traceId: own.traceId,
        type,
        role,
        span,
        ctx: trace.setSpan(parentCtx, span),
      });
      const parent = trace.getSpanContext(parentCtx);
      const ids: SpanIds = { traceId: own.traceId, spanId: own.spanId };
      if (options.parent) ids.parentSpanId = options.parent.id;
      else if (parent && isSpanContextValid(parent)) ids.externalParentSpanId = parent.spanId;
      return ids;
    } catch (error) {
      this.#warn('createSpan', error);
      return undefined;
    }
  }

  /** Bridge hook: runs `fn` with the OTel span of Mastra span `spanId` active. */
  executeInContext<T>(spanId: string, fn: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(spanId);
    return entry ? context.with(entry.ctx, fn) : fn();
  }

  /** Bridge hook: runs `fn` with the OTel span of Mastra span `spanId` active. */
  executeInContextSync<T>(spanId: string, fn: () => T): T {
    const entry = this.#entries.get(spanId);
    return entry ? context.with(entry.ctx, fn) : fn();
  }

  /** Bridge hook: forgets a span Mastra filtered out (it is not ended, as Mastra requires). */
  releaseSpan(spanId: string): void {
    this.#forget(spanId);
  }

  /** Receives Mastra's tracing events synchronously, as they happen. */
  onTracingEvent(event: TracingEvent): void {
    try {
      const span = event.exportedSpan as unknown as MastraSpanData;
      switch (String(event.type)) {
        case 'span_started':
          this.#started(span);
          break;
        case 'span_updated':
          this.#updated(span);
          break;
        case 'span_ended':
          this.#ended(span);
          break;
      }
    } catch (error) {
      this.#warn('event', error);
    }
  }

  /** Same as {@link GalileoMastraExporter.onTracingEvent}, for callers of the older method. */
  exportTracingEvent(event: TracingEvent): Promise<void> {
    this.onTracingEvent(event);
    return Promise.resolve();
  }

  /**
   * Spans are ended as Mastra ends them, so nothing is buffered here; this flushes the tracer
   * provider (when it has `forceFlush`) so `await observability.flush()` delivers them.
   */
  async flush(): Promise<void> {
    try {
      const provider = this.#provider ?? trace.getTracerProvider();
      const target =
        (provider as { getDelegate?: () => unknown }).getDelegate?.() ?? (provider as unknown);
      const flushable = target as { forceFlush?: () => Promise<void> };
      if (typeof flushable.forceFlush === 'function') await flushable.forceFlush();
    } catch (error) {
      this.#warn('flush', error);
    }
  }

  /** Ends spans still open (marked `mastra.incomplete`) and forgets all state. */
  async shutdown(): Promise<void> {
    for (const traceId of [...this.#traces.keys()]) this.#evictTrace(traceId);
  }

  #started(data: MastraSpanData): void {
    const type = String(data.type);
    const role = this.#role(type);
    if (this.#entries.has(data.id) || this.#done.has(data.id)) return;
    const parentCtx = this.#parentForEvent(data);
    if (role === 'drop') {
      this.#remember(data.id, {
        traceId: data.traceId,
        type,
        role,
        span: undefined,
        ctx: parentCtx,
      });
      return;
    }
    this.#remember(data.id, this.#exporterEntry(data, type, role, parentCtx));
  }

  #updated(data: MastraSpanData): void {
    const entry = this.#entries.get(data.id);
    if (entry && data.input !== undefined) entry.input = data.input;
  }

  #ended(data: MastraSpanData): void {
    const type = String(data.type);
    const role = this.#role(type);
    let entry = this.#entries.get(data.id);
    if (!entry) {
      if (this.#done.has(data.id)) return;
      // Event spans (and spans whose start we never saw) arrive only as `span_ended`.
      if (role === 'drop') return;
      entry = this.#exporterEntry(data, type, role, this.#parentForEvent(data));
    }
    const span = entry.span;
    if (span) {
      const stepInput = data.parentSpanId ? this.#entries.get(data.parentSpanId)?.input : undefined;
      const mapped = mapSpan(data, role, { stepInput });
      span.updateName(mapped.name);
      span.setAttributes(mapped.attributes);
      if (mapped.error) {
        const error = new Error(mapped.error.message);
        error.name = mapped.error.type;
        const stack = (data.errorInfo as { stack?: unknown } | undefined)?.stack;
        if (typeof stack === 'string') error.stack = stack;
        recordSpanError(span, error, mapped.error.type);
      }
      span.end(data.endTime ?? undefined);
    }
    this.#forget(data.id);
  }

  /** A kept span started from an event (exporter mode, or a span the bridge did not see). */
  #exporterEntry(data: MastraSpanData, type: string, role: SpanRole, parentCtx: Context): Entry {
    const span = this.#startSpan(startName(data, role), role, parentCtx, data.startTime);
    return { traceId: data.traceId, type, role, span, ctx: trace.setSpan(parentCtx, span) };
  }

  #startSpan(name: string, role: SpanRole, parentCtx: Context, startTime: Date | undefined): Span {
    this.#tracer ??= (this.#provider ?? trace.getTracerProvider()).getTracer(
      TRACER_NAME,
      TRACER_VERSION,
    );
    const operation = OPERATION_AT_START[role];
    const span = this.#tracer.startSpan(
      name,
      {
        kind: role === 'llm' ? SpanKind.CLIENT : SpanKind.INTERNAL,
        ...(operation ? { attributes: { [A.OPERATION_NAME]: operation } } : {}),
        ...(startTime ? { startTime } : {}),
      },
      parentCtx,
    );
    if (!span.isRecording() && isNoOpSpan(span, parentCtx)) this.#warn('no-provider', NO_PROVIDER);
    return span;
  }

  /** Bridge mode: the OTel parent of a span Mastra is constructing. */
  #parentForCreate(options: CreateSpanOptions<SpanType>): Context {
    // Mastra's parent chain passes through dropped and internal spans we hold no span for.
    let parent = options.parent;
    while (parent) {
      const entry = this.#entries.get(parent.id);
      if (entry) return entry.ctx;
      parent = parent.parent;
    }
    if (options.parent) {
      this.#warn('unknown-parent', 'a Mastra span started under a parent this exporter never saw');
      return context.active();
    }
    // A root: explicit `tracingOptions` win, else whatever OTel context the caller runs in.
    const explicitParent = options.parentSpanId ?? options.externalParentSpanId;
    if (options.parentSpanId) {
      const entry = this.#entries.get(options.parentSpanId);
      if (entry) return entry.ctx;
    }
    if (options.traceId && explicitParent) {
      const remote = remoteParent(options.traceId, explicitParent, context.active());
      if (remote) return remote;
    }
    return context.active();
  }

  /** Exporter mode: the OTel parent of a span from its exported data. */
  #parentForEvent(data: MastraSpanData): Context {
    if (data.parentSpanId) {
      const entry = this.#entries.get(data.parentSpanId);
      if (entry) return entry.ctx;
    }
    const external = data.externalParentSpanId ?? data.parentSpanId;
    if (external) {
      const remote = remoteParent(data.traceId, external, ROOT_CONTEXT);
      if (remote) return remote;
    }
    // Events may be delivered outside the caller's async context, so the active context is not
    // trusted here: without `tracingOptions` an exporter-mode run is a new trace.
    return ROOT_CONTEXT;
  }

  #remember(spanId: string, entry: Entry): void {
    if (this.#entries.size >= this.#maxOpenSpans) {
      const oldest = this.#traces.keys().next().value;
      if (oldest !== undefined) {
        this.#warn(
          'evicted',
          `more than ${this.#maxOpenSpans} Mastra spans open: ending the oldest run's spans early`,
        );
        this.#evictTrace(oldest);
      }
    }
    this.#entries.set(spanId, entry);
    let ids = this.#traces.get(entry.traceId);
    if (!ids) {
      ids = new Set();
      this.#traces.set(entry.traceId, ids);
    }
    ids.add(spanId);
  }

  #forget(spanId: string): void {
    this.#done.add(spanId);
    const entry = this.#entries.get(spanId);
    if (!entry) return;
    this.#entries.delete(spanId);
    const ids = this.#traces.get(entry.traceId);
    ids?.delete(spanId);
    if (ids && ids.size === 0) this.#traces.delete(entry.traceId);
  }

  #evictTrace(traceId: string): void {
    const ids = this.#traces.get(traceId);
    this.#traces.delete(traceId);
    for (const id of ids ?? []) {
      const entry = this.#entries.get(id);
      this.#entries.delete(id);
      this.#done.add(id);
      if (entry?.span?.isRecording()) {
        entry.span.setAttribute('mastra.incomplete', true);
        entry.span.end();
      }
    }
  }

  #warn(key: string, detail: unknown): void {
    if (!this.#logger || this.#logged.has(key)) return;
    this.#logged.add(key);
    const text = detail instanceof Error ? detail.message : String(detail);
    try {
      this.#logger.warn(`[galileo-otel/adapter-mastra] ${key}: ${text}`);
    } catch {
      // A broken logger must not break the traced program either.
    }
  }
}

/**
 * Whether `span` came from a no-op tracer (no provider registered): it carries its parent's ids,
 * or invalid ones for a root. A span a real SDK's sampler dropped still gets its own span id.
 */
function isNoOpSpan(span: Span, parentCtx: Context): boolean {
  const own = span.spanContext();
  if (!isSpanContextValid(own)) return true;
  return own.spanId === trace.getSpanContext(parentCtx)?.spanId;
}

/** A remote parent context for explicit W3C-sized ids, or `undefined` when they are invalid. */
function remoteParent(traceId: string, spanId: string, base: Context): Context | undefined {
  const spanContext = {
    traceId: traceId.padStart(32, '0'),
    spanId: spanId.padStart(16, '0'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return undefined;
  const active = trace.getSpanContext(base);
  // Already inside that very span (e.g. `tracingOptionsFromContext()` plus the bridge): keep
  // the real context, it is the same parent and carries its sampling decision.
  if (active && active.traceId === spanContext.traceId && active.spanId === spanContext.spanId) {
    return base;
  }
  return trace.setSpanContext(base, spanContext);
}
