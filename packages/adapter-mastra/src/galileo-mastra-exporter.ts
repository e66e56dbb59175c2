import {
  GenAiAttributes as A,
  type AdapterHost,
  type AdapterLogger,
  adapterPackage,
  asString,
  createAdapterLogger,
  DEFAULT_MAX_OPEN_RUNS,
  type IncompleteReason,
  markIncomplete,
  RunRegistry,
  recordSpanError,
} from '@galileo-otel/core/adapter';
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
import { Conversation } from './internal/conversation.js';
import {
  errorOf,
  mapSpan,
  type SpanError,
  startName,
  UNKNOWN_MODEL_ERROR,
} from './internal/map-span.js';
import { type MastraSpanData, type SpanRole, spanRoles } from './internal/mastra-span.js';
import { generationMessages, toolOutputText } from './internal/messages.js';

const PACKAGE = adapterPackage(import.meta.url);
const OPERATION_AT_START: Partial<Record<SpanRole, string>> = {
  agent: 'invoke_agent',
  llm: 'chat',
  tool: 'execute_tool',
};
const NO_PROVIDER =
  'no OpenTelemetry tracer provider is registered, so Mastra spans are not exported. ' +
  "Call registerGalileo() from '@galileo-otel/core' before the first Mastra run, or pass " +
  'mastraExporter({ tracerProvider }) the provider that holds GalileoSpanProcessor.';
/** How many finished span ids are remembered per allowed open run (see `#gone`). */
const GONE_PER_RUN = 10;

/** Options of {@link mastraExporter} / {@link GalileoMastraExporter}. */
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
   * Most Mastra runs (an agent or workflow run with everything nested in it) held open at once.
   * Past it the oldest run is given up on: its open spans end now, marked `galileo.incomplete`
   * with `galileo.incomplete.reason` `evicted`, so runs Mastra never finishes cannot grow memory.
   * @defaultValue `1000`
   */
  maxOpenRuns?: number | undefined;
  /**
   * @deprecated Use {@link GalileoMastraExporterOptions.maxOpenRuns}, which counts runs, not
   * spans. A value given here is taken as `maxOpenRuns`, with a one-time warning.
   */
  maxOpenSpans?: number | undefined;
  /**
   * Where this exporter's warnings go: a `{ warn }` sink gets each warning once per exporter,
   * `false` silences them.
   * @defaultValue the OpenTelemetry `diag` logger and `console.warn`, each warning once
   */
  logger?: { warn(message: string): void } | false | undefined;
}

interface Entry {
  /** Key of the run the span belongs to: the id of its outermost Mastra span. */
  readonly run: string;
  /** Mastra id of its parent. */
  readonly parentId: string | undefined;
  readonly type: string;
  readonly role: SpanRole;
  /** The OTel span (kept spans only). */
  readonly span: Span | undefined;
  /** Context children and tool code run in: the own span for kept spans, the ancestor's else. */
  readonly ctx: Context;
  /** Input of a dropped `model_step`: what its llm span shows when the loop's start is unknown. */
  input?: unknown;
  /** What the model of a `model_generation` loop has been told so far. */
  conversation?: Conversation;
}

/** The open spans of one Mastra run. */
interface Run {
  /** Mastra ids of its open spans. */
  readonly spans: Set<string>;
  /** Failed model calls waiting for the error a span around them reports. */
  readonly failedCalls: FailedCall[];
}

interface FailedCall {
  readonly span: Span;
  readonly endTime: Date | undefined;
  /** Mastra ids of the spans around it, innermost first. */
  readonly ancestors: readonly string[];
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
  readonly #maxOpenRuns: number;
  readonly #log: AdapterLogger = createAdapterLogger('mastra');
  /** Open spans by Mastra span id. */
  readonly #entries = new Map<string, Entry>();
  /** Open runs by the id of their outermost span, oldest first. */
  readonly #runs: RunRegistry<string, Run>;
  /**
   * Spans ended, given up on, or under a run given up on (bounded, oldest forgotten first), so a
   * repeated `span_ended` (the same instance as `bridge` and in `exporters`) or a late event of an
   * evicted run never starts a second span. Nothing to end when an id is forgotten.
   */
  // TODO(kit): the kit has no bounded set; its RunRegistry (insertion-ordered, bounded) is one.
  readonly #gone: RunRegistry<string, true>;
  #tracer: Tracer | undefined;
  #closed = false;

  /** @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1. */
  constructor(options: GalileoMastraExporterOptions = {}) {
    this.name = options.name ?? 'galileo';
    this.#provider = options.tracerProvider;
    if (options.logger !== undefined) this.#log.attach(loggerHost(options.logger));
    if (options.maxOpenSpans !== undefined) {
      this.#log.warnOnce(
        'maxOpenSpans',
        'the maxOpenSpans option is deprecated: use maxOpenRuns (it counts Mastra runs, not spans)',
      );
    }
    this.#role = spanRoles({
      dropSpanTypes: options.dropSpanTypes ?? [],
      llmSpanType: options.llmSpanType ?? 'model_inference',
    });
    this.#maxOpenRuns = options.maxOpenRuns ?? options.maxOpenSpans ?? DEFAULT_MAX_OPEN_RUNS;
    this.#runs = new RunRegistry<string, Run>({
      maxOpenRuns: this.#maxOpenRuns,
      abandon: (run, reason) => this.#abandon(run, reason),
    });
    this.#gone = new RunRegistry<string, true>({
      maxOpenRuns: GONE_PER_RUN * Math.max(DEFAULT_MAX_OPEN_RUNS, this.#maxOpenRuns),
      abandon: () => {},
    });
  }

  /** Number of spans currently open (for tests and diagnostics). */
  get openSpans(): number {
    return this.#entries.size;
  }

  /** Number of runs with open spans (for tests and diagnostics). */
  get openRuns(): number {
    return this.#runs.size;
  }

  /** @deprecated Use {@link GalileoMastraExporter.openRuns}. */
  get openTraces(): number {
    return this.#runs.size;
  }

  /**
   * Bridge hook: starts the OTel span as Mastra creates its span, parented on the Mastra parent's
   * OTel span or, for a root, on the active OTel context; Mastra adopts the OTel ids.
   */
  createSpan(options: CreateSpanOptions<SpanType>): SpanIds | undefined {
    return this.#log.guard('createSpan', () => this.#create(options));
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
    this.#log.guard('event', () => {
      if (this.#closed) return;
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
    });
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
      this.#log.failed('flush', error);
    }
  }

  /**
   * Ends the spans still open (marked `galileo.incomplete`, reason `shutdown`) and stops: later
   * Mastra spans are not exported.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    this.#runs.giveUpAll('shutdown');
  }

  #create(options: CreateSpanOptions<SpanType>): SpanIds | undefined {
    if (this.#closed) return undefined;
    const type = String(options.type);
    const role = this.#role(type);
    // Dropped levels get no OTel span; Mastra keeps its own ids for them and their children
    // find the nearest kept ancestor through Mastra's parent chain.
    if (role === 'drop') return undefined;
    const parent = this.#parentForCreate(options);
    if (!parent) return undefined;
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
      parent.ctx,
      undefined,
    );
    // A no-op tracer (no provider registered yet) hands back the parent's ids: never give
    // those to Mastra, or every span of the run would share one id.
    if (!span.isRecording()) return undefined;
    const own = span.spanContext();
    this.#remember(own.spanId, {
      run: parent.run ?? own.spanId,
      parentId: options.parent?.id,
      type,
      role,
      span,
      ctx: trace.setSpan(parent.ctx, span),
    });
    const parentContext = trace.getSpanContext(parent.ctx);
    const ids: SpanIds = { traceId: own.traceId, spanId: own.spanId };
    if (options.parent) ids.parentSpanId = options.parent.id;
    else if (parentContext && isSpanContextValid(parentContext)) {
      ids.externalParentSpanId = parentContext.spanId;
    }
    return ids;
  }

  #started(data: MastraSpanData): void {
    const known = this.#entries.get(data.id);
    if (known) {
      this.#noteInput(known, data);
      return;
    }
    if (this.#gone.has(data.id)) return;
    const parent = this.#parentForEvent(data);
    if (!parent) {
      this.#gone.set(data.id, true);
      return;
    }
    const type = String(data.type);
    const role = this.#role(type);
    const entry: Entry =
      role === 'drop'
        ? {
            run: parent.run ?? data.id,
            parentId: data.parentSpanId,
            type,
            role,
            span: undefined,
            ctx: parent.ctx,
          }
        : this.#exporterEntry(data, type, role, parent);
    this.#noteInput(entry, data);
    this.#remember(data.id, entry);
  }

  #updated(data: MastraSpanData): void {
    const entry = this.#entries.get(data.id);
    if (entry) this.#noteInput(entry, data);
  }

  #ended(data: MastraSpanData): void {
    let entry = this.#entries.get(data.id);
    if (!entry) {
      if (this.#gone.has(data.id)) return;
      const type = String(data.type);
      const role = this.#role(type);
      // Event spans (and spans whose start we never saw) arrive only as `span_ended`.
      const parent = role === 'drop' ? undefined : this.#parentForEvent(data);
      if (!parent) {
        this.#gone.set(data.id, true);
        return;
      }
      entry = this.#exporterEntry(data, type, role, parent);
      this.#remember(data.id, entry);
    }
    this.#noteInput(entry, data);
    this.#noteOutput(entry, data);
    const span = entry.span;
    if (span) {
      const mapped = mapSpan(data, entry.role, {
        conversation: this.#conversationOf(entry),
        stepInput: entry.parentId ? this.#entries.get(entry.parentId)?.input : undefined,
      });
      span.updateName(mapped.name);
      span.setAttributes(mapped.attributes);
      if (mapped.error) recordSpanError(span, asError(mapped.error), mapped.error.type);
      if (mapped.awaitsCause) this.#awaitCause(entry, span, data.endTime);
      else span.end(data.endTime ?? undefined);
    }
    const error = errorOf(data);
    if (error)
      this.#settleFailedCalls(entry.run, (call) => call.ancestors.includes(data.id), error);
    this.#forget(data.id);
  }

  /** Keeps what later spans need from a span's input: a loop's start, a step's messages. */
  #noteInput(entry: Entry, data: MastraSpanData): void {
    if (data.input === undefined) return;
    if (entry.type === 'model_step') entry.input = data.input;
    else if (entry.type === 'model_generation' && !entry.conversation) {
      entry.conversation = new Conversation(generationMessages(data.input));
    }
  }

  /** Adds what a finished step or tool call told the model to its loop's history. */
  #noteOutput(entry: Entry, data: MastraSpanData): void {
    if (entry.type === 'model_step') {
      this.#conversationOf(entry)?.addTurn(data.output);
      return;
    }
    const callId = asString(data.attributes?.toolCallId);
    if (entry.role !== 'tool' || !callId) return;
    this.#conversationOf(entry)?.answer(
      callId,
      data.output === undefined ? (errorOf(data)?.message ?? '') : toolOutputText(data.output),
    );
  }

  /** The history of the model loop a span is in (or is). */
  #conversationOf(entry: Entry): Conversation | undefined {
    for (let at: Entry | undefined = entry; at; at = this.#parentEntry(at)) {
      if (at.type === 'model_generation') return at.conversation;
    }
    return undefined;
  }

  /** Holds a failed model call open until a span around it reports the error that caused it. */
  #awaitCause(entry: Entry, span: Span, endTime: Date | undefined): void {
    const call: FailedCall = { span, endTime, ancestors: this.#ancestors(entry) };
    const run = this.#runs.get(entry.run);
    if (run) run.failedCalls.push(call);
    else endFailedCall(call, UNKNOWN_MODEL_ERROR);
  }

  /** Mastra ids of the spans around `entry`, innermost first. */
  #ancestors(entry: Entry): string[] {
    const ids: string[] = [];
    for (let id = entry.parentId; id !== undefined && !ids.includes(id); ) {
      ids.push(id);
      id = this.#entries.get(id)?.parentId;
    }
    return ids;
  }

  #parentEntry(entry: Entry): Entry | undefined {
    return entry.parentId === undefined ? undefined : this.#entries.get(entry.parentId);
  }

  /** Ends the failed model calls of a run that `match` picks, with the error that caused them. */
  #settleFailedCalls(run: string, match: (call: FailedCall) => boolean, error: SpanError): void {
    const calls = this.#runs.get(run)?.failedCalls;
    if (!calls) return;
    for (const call of calls.filter(match)) {
      calls.splice(calls.indexOf(call), 1);
      endFailedCall(call, error);
    }
  }

  /** A kept span started from an event (exporter mode, or a span the bridge did not see). */
  #exporterEntry(data: MastraSpanData, type: string, role: SpanRole, parent: Parent): Entry {
    const span = this.#startSpan(startName(data, role), role, parent.ctx, data.startTime);
    return {
      run: parent.run ?? data.id,
      parentId: data.parentSpanId,
      type,
      role,
      span,
      ctx: trace.setSpan(parent.ctx, span),
    };
  }

  #startSpan(name: string, role: SpanRole, parentCtx: Context, startTime: Date | undefined): Span {
    this.#tracer ??= PACKAGE.tracer(this.#provider);
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
    if (!span.isRecording() && isNoOpSpan(span, parentCtx)) {
      this.#log.warnOnce('no-provider', NO_PROVIDER);
    }
    return span;
  }

  /**
   * Bridge mode: the OTel parent of a span Mastra is constructing, or `undefined` when it sits
   * under a span this exporter gave up on.
   */
  #parentForCreate(options: CreateSpanOptions<SpanType>): Parent | undefined {
    // Mastra's parent chain passes through dropped and internal spans we hold no span for.
    let parent = options.parent;
    while (parent) {
      const entry = this.#entries.get(parent.id);
      if (entry) return { ctx: entry.ctx, run: entry.run };
      if (this.#gone.has(parent.id)) return undefined;
      parent = parent.parent;
    }
    if (options.parent) {
      this.#log.warnOnce(
        'unknown-parent',
        'a Mastra span started under a parent this exporter never saw',
      );
      return { ctx: context.active() };
    }
    // A root: explicit `tracingOptions` win, else whatever OTel context the caller runs in.
    const explicitParent = options.parentSpanId ?? options.externalParentSpanId;
    if (options.parentSpanId) {
      const entry = this.#entries.get(options.parentSpanId);
      if (entry) return { ctx: entry.ctx, run: entry.run };
    }
    if (options.traceId && explicitParent) {
      const remote = remoteParent(options.traceId, explicitParent, context.active());
      if (remote) return { ctx: remote };
    }
    return { ctx: context.active() };
  }

  /**
   * Exporter mode: the OTel parent of a span from its exported data, or `undefined` when it
   * sits under a span this exporter gave up on.
   */
  #parentForEvent(data: MastraSpanData): Parent | undefined {
    if (data.parentSpanId) {
      const entry = this.#entries.get(data.parentSpanId);
      if (entry) return { ctx: entry.ctx, run: entry.run };
      if (this.#gone.has(data.parentSpanId)) return undefined;
    }
    const external = data.externalParentSpanId ?? data.parentSpanId;
    if (external) {
      const remote = remoteParent(data.traceId, external, ROOT_CONTEXT);
      if (remote) return { ctx: remote };
    }
    // Events may be delivered outside the caller's async context, so the active context is not
    // trusted here: without `tracingOptions` an exporter-mode run is a new trace.
    return { ctx: ROOT_CONTEXT };
  }

  #remember(spanId: string, entry: Entry): void {
    let run = this.#runs.get(entry.run);
    if (!run) {
      run = { spans: new Set(), failedCalls: [] };
      // May give up on the oldest run, never on this new one.
      this.#runs.set(entry.run, run);
    }
    run.spans.add(spanId);
    this.#entries.set(spanId, entry);
  }

  #forget(spanId: string): void {
    this.#gone.set(spanId, true);
    const entry = this.#entries.get(spanId);
    if (!entry) return;
    this.#entries.delete(spanId);
    const run = this.#runs.get(entry.run);
    if (!run) return;
    run.spans.delete(spanId);
    if (run.spans.size > 0) return;
    this.#runs.delete(entry.run);
    // The run is over and no span around a failed call said why it failed.
    for (const call of run.failedCalls) endFailedCall(call, UNKNOWN_MODEL_ERROR);
  }

  #abandon(run: Run, reason: IncompleteReason): void {
    if (reason === 'evicted') {
      this.#log.warnOnce(
        'evicted',
        `more than ${this.#maxOpenRuns} Mastra runs were open at once, so the oldest was given ` +
          'up on: its open spans end now, marked galileo.incomplete. Raise maxOpenRuns if runs ' +
          'really overlap this much.',
      );
    }
    for (const id of run.spans) {
      const entry = this.#entries.get(id);
      this.#entries.delete(id);
      this.#gone.set(id, true);
      if (entry?.span?.isRecording()) {
        markIncomplete(entry.span, reason);
        entry.span.end();
      }
    }
    for (const call of run.failedCalls) endFailedCall(call, UNKNOWN_MODEL_ERROR);
  }
}

/** Where a new span goes: its OTel parent context and, under a known span, that span's run. */
interface Parent {
  readonly ctx: Context;
  readonly run?: string | undefined;
}

function endFailedCall(call: FailedCall, error: SpanError): void {
  recordSpanError(call.span, asError(error), error.type);
  call.span.end(call.endTime ?? undefined);
}

/** An `Error` carrying what Mastra recorded, so the exception event has its type and stack. */
function asError(error: SpanError): Error {
  const out = new Error(error.message);
  out.name = error.type;
  if (error.stack) out.stack = error.stack;
  return out;
}

// TODO(kit): createAdapterLogger() has no sink option, so an adapter the processor never
// installs (this exporter lives in Mastra's config) reaches its own `logger` option only through
// a host; the kit leaves deduplication to the host, hence the once-per-key set here.
function loggerHost(logger: { warn(message: string): void } | false): AdapterHost {
  const said = new Set<string>();
  return {
    log: (key, line) => {
      if (!logger || said.has(key)) return;
      said.add(key);
      logger.warn(`[galileo-otel] ${line}`);
    },
    routing: { project: '', logStream: undefined, experimentId: undefined },
  };
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
