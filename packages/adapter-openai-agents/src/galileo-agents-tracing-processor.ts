import {
  type AdapterLogger,
  adapterPackage,
  agentAttributes,
  agentSpanName,
  asString,
  createAdapterLogger,
  DEFAULT_MAX_OPEN_RUNS,
  type GalileoMessage,
  type GalileoToolCall,
  type IncompleteReason,
  ioAttributes,
  isRecord,
  llmAttributes,
  llmSpanName,
  markIncomplete,
  RunRegistry,
  recordSpanError,
  runClock,
  safeJsonStringify,
  type TokenUsage,
  toolAttributes,
  toolSpanName,
  usageAttributes,
} from '@galileo-otel/core/adapter';
import type {
  Span as SdkSpan,
  Trace as SdkTrace,
  SpanData,
  TracingProcessor,
} from '@openai/agents';
import { getCurrentSpan } from '@openai/agents';
import {
  type Attributes,
  type Context,
  context,
  type Span as OtelSpan,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  generationContent,
  type LlmContent,
  responseContent,
  usageOf,
} from './internal/messages.js';
import { registerBridge, unregisterBridge } from './internal/registry.js';
import type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';

const PACKAGE = adapterPackage(import.meta.url);
const MAX_TOOL_CALLS = 64;
const CLOSING_GRACE_MS = 30_000;

type AnySdkSpan = SdkSpan<SpanData>;
type Dict = Record<string, unknown>;

interface Disposable {
  dispose(): void;
}

interface AgentIo {
  input: GalileoMessage[] | undefined;
  output: GalileoMessage[] | undefined;
}

interface PendingLlm {
  span: OtelSpan;
  endTime: number;
  hasUsage: boolean;
}

interface Entry {
  readonly type: string;
  readonly otel: OtelSpan | undefined;
  readonly parent: Entry | undefined;
  /** The context children are started in (this span, or the nearest exported ancestor). */
  readonly ctx: Context;
  agent?: AgentIo;
  pendingLlm?: PendingLlm[];
  token?: Disposable | undefined;
}

interface RunState {
  readonly traceId: string;
  readonly name: string;
  readonly groupId: string | undefined;
  readonly tracer: Tracer;
  readonly now: () => number;
  readonly root: OtelSpan | undefined;
  readonly rootCtx: Context;
  readonly entries: Map<string, Entry>;
  readonly toolCalls: GalileoToolCall[];
  input: GalileoMessage[] | undefined;
  output: GalileoMessage[] | undefined;
  /** The SDK ended the trace (or it ended before this late span): end with the last span. */
  traceEnded: boolean;
  /** Gives up on the run if its last span never ends after the trace did. */
  closing: ReturnType<typeof setTimeout> | undefined;
}

/** Internal options: the public ones plus the adapter's logger. */
export interface ProcessorOptions extends OpenAIAgentsAdapterOptions {
  /** The adapter's logger (attached to the processor by `openaiAgents()`). */
  logger?: AdapterLogger | undefined;
}

/** An SDK span's `error`. */
interface SdkError {
  message: string;
  data?: Dict | undefined;
}

/** The low-cardinality error kind of an SDK span error, e.g. `InputGuardrailTripwireTriggered`. */
function sdkErrorType(error: SdkError, fallback: string): string {
  const detail = error.data?.error;
  if (typeof detail === 'string') {
    const match = /^([A-Za-z_$][\w$]*)(?::|$)/.exec(detail.trim());
    if (match?.[1] && match[1] !== 'Error') return match[1];
  }
  return fallback;
}

function sdkErrorMessage(error: SdkError): string {
  const detail = error.data?.error;
  return typeof detail === 'string' && detail ? `${error.message}: ${detail}` : error.message;
}

/**
 * An OpenAI Agents SDK `TracingProcessor` that turns the SDK's traces into Galileo-shaped
 * OpenTelemetry spans: agent → `invoke_agent`, generation / response → `chat <model>`, function
 * and handoff → `execute_tool`, task and turn collapsed, the whole run parented under the
 * OpenTelemetry context active when it started. Register it with the `openaiAgents()` adapter
 * or {@link openaiAgentsTracing} rather than directly.
 */
export class GalileoAgentsTracingProcessor implements TracingProcessor {
  readonly #options: ProcessorOptions;
  readonly #log: AdapterLogger;
  readonly #runs: RunRegistry<string, RunState>;
  /** Root contexts of recently ended runs, so a span that arrives late joins the same trace. */
  readonly #ended: RunRegistry<string, Context>;
  #closed = false;

  /** @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1. */
  constructor(options: ProcessorOptions = {}) {
    this.#options = options;
    this.#log = options.logger ?? createAdapterLogger('openai-agents');
    const maxOpenRuns = options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS;
    this.#runs = new RunRegistry<string, RunState>({
      maxOpenRuns,
      abandon: (run, reason) => {
        if (reason === 'evicted') {
          this.#log.warnOnce(
            'evicted',
            `more than ${maxOpenRuns} runs open (maxOpenRuns): ending the oldest early, marked galileo.incomplete`,
          );
        }
        this.#endRun(run, reason);
      },
    });
    this.#ended = new RunRegistry<string, Context>({ maxOpenRuns, abandon: () => {} });
  }

  /** Number of SDK traces currently tracked (for diagnostics and tests). */
  get openRuns(): number {
    return this.#runs.size;
  }

  /** The OpenTelemetry context of an SDK span this processor mirrors, if it is still open. */
  contextFor(traceId: string, spanId: string): Context | undefined {
    return this.#runs.get(traceId)?.entries.get(spanId)?.ctx;
  }

  /** Starts a run: remembers the caller's OTel context and, if wanted, a root workflow span. */
  async onTraceStart(sdkTrace: SdkTrace): Promise<void> {
    this.#log.guard('onTraceStart', () => {
      if (this.#closed) return;
      this.#startRun(
        sdkTrace.traceId,
        sdkTrace.name,
        sdkTrace.groupId ?? undefined,
        sdkTrace.metadata,
      );
    });
  }

  /** Ends a run (after its last open span, for streamed runs). */
  async onTraceEnd(sdkTrace: SdkTrace): Promise<void> {
    this.#log.guard('onTraceEnd', () => {
      const run = this.#runs.get(sdkTrace.traceId);
      if (run) this.#endWhenDone(run);
    });
  }

  /** Starts the OTel span of an SDK span (synchronously, inside the SDK's `span.start()`). */
  async onSpanStart(span: AnySdkSpan): Promise<void> {
    this.#log.guard('onSpanStart', () => {
      if (!this.#closed) this.#spanStart(span);
    });
  }

  /** Completes and ends the OTel span of an SDK span. */
  async onSpanEnd(span: AnySdkSpan): Promise<void> {
    this.#log.guard('onSpanEnd', () => {
      if (!this.#closed) this.#spanEnd(span);
    });
  }

  /** Nothing to flush: spans are ended as the SDK ends them, and open runs stay open. */
  async forceFlush(): Promise<void> {}

  /** Ends every open span (marked `galileo.incomplete`, reason `shutdown`) and stops mirroring. */
  async shutdown(): Promise<void> {
    this.#log.guard('shutdown', () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#runs.giveUpAll('shutdown');
      unregisterBridge(this);
    });
  }

  // --- runs -------------------------------------------------------------------------------

  #tracer(): Tracer {
    return PACKAGE.tracer(this.#options.tracerProvider);
  }

  #startRun(
    traceId: string,
    name: string,
    groupId: string | undefined,
    metadata: unknown,
  ): RunState {
    const existing = this.#runs.get(traceId);
    if (existing) return existing;
    const tracer = this.#tracer();
    const now = runClock();
    const base = context.active();
    const caller = trace.getSpan(base);
    const mode = this.#options.workflowSpan ?? 'auto';
    const wantRoot = mode === 'always' || (mode === 'auto' && !caller?.spanContext().traceId);
    let root: OtelSpan | undefined;
    if (wantRoot) {
      const attributes: Attributes = { 'openai_agents.trace_id': traceId };
      if (groupId) attributes['gen_ai.conversation.id'] = groupId;
      if (isRecord(metadata) && Object.keys(metadata).length > 0) {
        attributes['openai_agents.trace.metadata'] = safeJsonStringify(metadata);
      }
      root = tracer.startSpan(
        name,
        { kind: SpanKind.INTERNAL, attributes, startTime: now() },
        base,
      );
    }
    const ctx = root ? trace.setSpan(base, root) : base;
    const run = this.#newRun(traceId, name, groupId, { span: root, ctx, tracer, now });
    this.#open(run);
    return run;
  }

  #newRun(
    traceId: string,
    name: string,
    groupId: string | undefined,
    root: { span: OtelSpan | undefined; ctx: Context; tracer: Tracer; now: () => number },
  ): RunState {
    return {
      traceId,
      name,
      groupId,
      tracer: root.tracer,
      now: root.now,
      root: root.span,
      rootCtx: root.ctx,
      entries: new Map(),
      toolCalls: [],
      input: undefined,
      output: undefined,
      traceEnded: false,
      closing: undefined,
    };
  }

  #open(run: RunState): void {
    // Findable by withToolContext() while it has runs; shutdown() forgets it again.
    registerBridge(this);
    // Past maxOpenRuns the registry gives up on the oldest run (`evicted`).
    this.#runs.set(run.traceId, run);
  }

  #runFor(traceId: string): RunState | undefined {
    const run = this.#runs.get(traceId);
    if (run) return run;
    const endedCtx = this.#ended.get(traceId);
    if (endedCtx !== undefined) {
      // A span that arrives after its run ended (a failed run's stragglers): keep it in the
      // same trace under the same root, in a short-lived state that ends with its last span.
      const late = this.#newRun(traceId, 'Agent workflow', undefined, {
        span: undefined,
        ctx: endedCtx,
        tracer: this.#tracer(),
        now: runClock(),
      });
      late.traceEnded = true;
      this.#open(late);
      return late;
    }
    // A span whose trace start we never saw (processor installed mid-run, trace id override).
    return this.#startRun(traceId, 'Agent workflow', undefined, undefined);
  }

  /**
   * The SDK ended the trace: end the run now, or with its last open span (a streamed run's
   * trace can end before its agent span does), but never wait forever.
   */
  #endWhenDone(run: RunState): void {
    run.traceEnded = true;
    if (run.entries.size === 0) {
      this.#endRun(run, undefined);
      return;
    }
    run.closing ??= setTimeout(() => {
      if (this.#runs.get(run.traceId) === run) this.#runs.giveUp(run.traceId, 'timeout');
    }, CLOSING_GRACE_MS);
    run.closing.unref?.();
  }

  /**
   * Ends a run: every span still open, then the root. `reason` set = the run did not finish
   * (the spans still open are marked `galileo.incomplete` with it); `error` = it failed.
   */
  #endRun(
    run: RunState,
    reason: IncompleteReason | undefined,
    error?: { message: string; type: string },
  ): void {
    if (this.#runs.get(run.traceId) === run) this.#runs.delete(run.traceId);
    if (run.closing) clearTimeout(run.closing);
    const open = [...run.entries.values()].reverse();
    run.entries.clear();
    for (const entry of open) {
      this.#flushPending(entry, undefined);
      entry.token?.dispose();
      if (!entry.otel) continue;
      if (reason) markIncomplete(entry.otel, reason);
      if (error) recordSpanError(entry.otel, error.message, error.type);
      entry.otel.end(run.now());
    }
    if (run.root) {
      if (this.#captureContent()) {
        run.root.setAttributes(ioAttributes(run.input, run.output));
      }
      if (error) recordSpanError(run.root, error.message, error.type);
      else if (reason) markIncomplete(run.root, reason);
      run.root.end(run.now());
    }
    this.#ended.set(run.traceId, run.rootCtx);
  }

  // --- spans ------------------------------------------------------------------------------

  #spanStart(span: AnySdkSpan): void {
    const run = this.#runFor(span.traceId);
    if (!run) return;
    const data = span.spanData as Dict & { type: string };
    const parent = span.parentId ? run.entries.get(span.parentId) : undefined;
    const parentCtx = parent?.ctx ?? run.rootCtx;
    const start = (name: string, attributes: Attributes): OtelSpan =>
      run.tracer.startSpan(
        name,
        { kind: SpanKind.INTERNAL, attributes, startTime: run.now() },
        parentCtx,
      );

    let otel: OtelSpan | undefined;
    switch (data.type) {
      case 'task':
      case 'turn':
        otel = undefined;
        break;
      case 'agent': {
        const name = asString(data.name) ?? 'agent';
        const attributes = agentAttributes({
          name,
          provider: this.#options.providerName ?? 'openai',
          conversationId: run.groupId,
        });
        attributes['openai_agents.workflow.name'] = run.name;
        otel = start(agentSpanName(name), attributes);
        break;
      }
      case 'generation':
      case 'response': {
        const model = asString(data.model);
        otel = start(llmSpanName(model), llmAttributes({ model, provider: this.#provider() }));
        break;
      }
      case 'function': {
        const name = asString(data.name) ?? 'function';
        otel = start(toolSpanName(name), toolAttributes({ name }));
        break;
      }
      case 'handoff':
        otel = start(
          toolSpanName('transfer'),
          toolAttributes({ name: 'transfer', type: 'handoff' }),
        );
        break;
      case 'guardrail': {
        const name = asString(data.name) ?? 'guardrail';
        otel = start(`guardrail ${name}`, toolAttributes({ name, type: 'guardrail' }));
        break;
      }
      case 'mcp_tools': {
        const server = asString(data.server);
        otel = start(
          server ? `mcp_list_tools ${server}` : 'mcp_list_tools',
          toolAttributes({ name: 'mcp_list_tools', type: 'mcp' }),
        );
        break;
      }
      case 'custom':
        otel = start(asString(data.name) ?? 'custom', { 'openai_agents.span.type': 'custom' });
        break;
      default:
        otel = start(data.type, { 'openai_agents.span.type': data.type });
    }
    const entry: Entry = {
      type: data.type,
      otel,
      parent,
      ctx: otel ? trace.setSpan(parentCtx, otel) : parentCtx,
    };
    if (data.type === 'agent') entry.agent = { input: undefined, output: undefined };
    if (data.type === 'turn') entry.pendingLlm = [];
    run.entries.set(span.spanId, entry);

    if (data.type === 'function' && otel) this.#enterToolContext(span, entry, otel);
  }

  /**
   * The SDK makes the function span current (its own AsyncLocalStorage `enterWith`, scoped by
   * `withNewSpanContext`) and starts it synchronously before calling the tool; doing the same
   * with the OpenTelemetry context here gives it exactly the SDK's own scope: the tool body.
   */
  #enterToolContext(span: AnySdkSpan, entry: Entry, otel: OtelSpan): void {
    if (this.#options.toolContext === false) return;
    if (getCurrentSpan()?.spanId !== span.spanId) return;
    const attach = (context as { attach?: (ctx: Context) => Disposable }).attach;
    if (typeof attach !== 'function') {
      this.#log.warnOnce(
        'no-attach',
        '@opentelemetry/api < 1.10 has no context.attach(): spans started inside tools will not nest under the tool span; wrap tool bodies in withToolContext()',
      );
      return;
    }
    entry.token = attach.call(context, entry.ctx);
    if (trace.getSpan(context.active()) !== otel) {
      entry.token.dispose();
      entry.token = undefined;
      this.#log.warnOnce(
        'attach-unsupported',
        'the registered OpenTelemetry context manager does not support attach(): spans started inside tools will not nest under the tool span; wrap tool bodies in withToolContext()',
      );
    }
  }

  #spanEnd(span: AnySdkSpan): void {
    const run = this.#runs.get(span.traceId);
    const entry = run?.entries.get(span.spanId);
    if (!run || !entry) return;
    run.entries.delete(span.spanId);
    this.#finishSpan(run, entry, span);
    if (run.traceEnded && run.entries.size === 0 && this.#runs.get(run.traceId) === run) {
      this.#endRun(run, undefined);
    }
  }

  #finishSpan(run: RunState, entry: Entry, span: AnySdkSpan): void {
    const data = span.spanData as Dict & { type: string };
    const error = span.error as SdkError | null;
    const otel = entry.otel;
    const capture = this.#captureContent();

    if (entry.token) {
      if (getCurrentSpan()?.spanId === span.spanId) entry.token.dispose();
      entry.token = undefined;
    }

    switch (data.type) {
      case 'turn':
        this.#flushPending(entry, usageOf(data.usage));
        break;
      case 'task':
        break;
      case 'agent':
        if (otel && entry.agent) {
          if (capture) otel.setAttributes(ioAttributes(entry.agent.input, entry.agent.output));
          run.input ??= entry.agent.input;
          if (entry.agent.output) run.output = entry.agent.output;
        }
        break;
      case 'generation':
      case 'response':
        if (otel) {
          const content =
            data.type === 'generation' ? generationContent(data) : responseContent(data);
          this.#finishLlm(run, entry, otel, content, error);
          return;
        }
        break;
      case 'function':
        if (otel) this.#finishFunction(run, otel, data, capture);
        break;
      case 'handoff':
        if (otel) this.#finishHandoff(run, otel, data, capture);
        break;
      case 'guardrail':
        if (otel) {
          otel.setAttribute('openai_agents.guardrail.triggered', data.triggered === true);
          otel.setAttribute(
            'gen_ai.tool.call.result',
            safeJsonStringify({ triggered: data.triggered === true }),
          );
          if (data.triggered === true) {
            recordSpanError(
              otel,
              `guardrail ${String(data.name)} tripped`,
              'GuardrailTripwireTriggered',
            );
          }
        }
        break;
      case 'mcp_tools':
        if (otel) {
          if (asString(data.server))
            otel.setAttribute('openai_agents.mcp.server', String(data.server));
          if (Array.isArray(data.result)) {
            otel.setAttribute('gen_ai.tool.call.result', safeJsonStringify(data.result));
          }
        }
        break;
      case 'custom':
        if (otel && capture && isRecord(data.data) && Object.keys(data.data).length > 0) {
          otel.setAttribute('openai_agents.custom.data', safeJsonStringify(data.data));
        }
        break;
      default:
        break;
    }

    if (error) {
      const type = sdkErrorType(
        error,
        data.type === 'function'
          ? 'ToolError'
          : data.type === 'agent' || data.type === 'task' || data.type === 'turn'
            ? 'AgentRunError'
            : 'Error',
      );
      if (otel) recordSpanError(otel, sdkErrorMessage(error), type);
      // The SDK skips onTraceEnd when a run throws: a failed top-level span is the last event.
      if ((data.type === 'task' || (data.type === 'agent' && !entry.parent)) && !span.parentId) {
        otel?.end(run.now());
        this.#endRun(run, 'failed', { message: sdkErrorMessage(error), type });
        return;
      }
    }
    otel?.end(run.now());
  }

  #finishLlm(
    run: RunState,
    entry: Entry,
    otel: OtelSpan,
    content: LlmContent,
    error: SdkError | null,
  ): void {
    const capture = this.#captureContent();
    const model = content.model ?? content.responseModel;
    if (model) otel.updateName(llmSpanName(model));
    otel.setAttributes(
      llmAttributes({
        model,
        provider: this.#provider(),
        responseModel: content.responseModel,
        responseId: content.responseId,
        finishReasons: content.finishReasons,
        usage: content.usage,
        systemInstructions: capture ? content.systemInstructions : undefined,
        inputMessages: capture ? content.input : undefined,
        outputMessages: capture ? content.output : undefined,
      }),
    );
    if (content.usage) otel.setAttribute('openai_agents.usage_source', 'span');
    for (const call of content.toolCalls) {
      run.toolCalls.push(call);
      if (run.toolCalls.length > MAX_TOOL_CALLS) run.toolCalls.shift();
    }
    const agent = this.#ancestor(entry, 'agent');
    if (agent?.agent) {
      agent.agent.input ??= content.input;
      if (content.output) agent.agent.output = content.output;
    }
    if (error) recordSpanError(otel, sdkErrorMessage(error), sdkErrorType(error, 'ModelError'));
    const turn = this.#ancestor(entry, 'turn');
    if (!content.usage && turn?.pendingLlm) {
      // Chat Completions and redacted Responses spans carry no usage: wait for the turn's.
      turn.pendingLlm.push({ span: otel, endTime: run.now(), hasUsage: false });
      return;
    }
    otel.end(run.now());
  }

  #finishFunction(run: RunState, otel: OtelSpan, data: Dict, capture: boolean): void {
    const name = asString(data.name) ?? 'function';
    const input = asString(data.input);
    const callIndex = run.toolCalls.findIndex(
      (call) =>
        call.function.name === name && (input === undefined || call.function.arguments === input),
    );
    const call = callIndex >= 0 ? run.toolCalls.splice(callIndex, 1)[0] : undefined;
    // The SDK's MCP tools set `mcp_data` to `{ server }` (an object, despite its string type).
    const mcp = data.mcp_data;
    const isMcp = isRecord(mcp) || asString(mcp) !== undefined;
    otel.setAttributes(
      toolAttributes({
        name,
        callId: call?.id || undefined,
        type: isMcp ? 'mcp' : 'function',
        arguments: capture ? input : undefined,
        result: capture ? asString(data.output) : undefined,
      }),
    );
    if (!isMcp) return;
    const server = isRecord(mcp) ? asString(mcp.server) : undefined;
    if (server) otel.setAttribute('openai_agents.mcp.server', server);
    if (capture) {
      otel.setAttribute(
        'openai_agents.mcp.data',
        typeof mcp === 'string' ? mcp : safeJsonStringify(mcp),
      );
    }
  }

  #finishHandoff(run: RunState, otel: OtelSpan, data: Dict, capture: boolean): void {
    const from = asString(data.from_agent);
    const to = asString(data.to_agent);
    const expected = to ? `transfer_to_${to.replace(/[^a-zA-Z0-9]/g, '_')}` : undefined;
    const callIndex = run.toolCalls.findIndex((call) =>
      expected ? call.function.name === expected : call.function.name.startsWith('transfer_to_'),
    );
    const call = callIndex >= 0 ? run.toolCalls.splice(callIndex, 1)[0] : undefined;
    const name = call?.function.name ?? expected ?? 'transfer';
    otel.updateName(toolSpanName(name));
    otel.setAttributes(
      toolAttributes({
        name,
        callId: call?.id || undefined,
        type: 'handoff',
        arguments: capture ? (call?.function.arguments ?? '{}') : undefined,
        result: capture && to ? safeJsonStringify({ assistant: to }) : undefined,
      }),
    );
    if (from) otel.setAttribute('openai_agents.handoff.from_agent', from);
    if (to) otel.setAttribute('openai_agents.handoff.to_agent', to);
  }

  /** Ends the LLM spans a turn held back, with the turn's usage when it is theirs alone. */
  #flushPending(entry: Entry, usage: TokenUsage | undefined): void {
    const pending = entry.pendingLlm;
    if (!pending || pending.length === 0) return;
    entry.pendingLlm = [];
    const single = pending.length === 1;
    for (const llm of pending) {
      if (usage && single) {
        llm.span.setAttributes(usageAttributes(usage));
        llm.span.setAttribute('openai_agents.usage_source', 'turn');
      }
      llm.span.end(llm.endTime);
    }
  }

  #ancestor(entry: Entry, type: string): Entry | undefined {
    for (let e = entry.parent; e; e = e.parent) {
      if (e.type === type) return e;
      if (type === 'turn' && e.type === 'agent') return undefined;
    }
    return undefined;
  }

  #provider(): string {
    return this.#options.providerName ?? 'openai';
  }

  #captureContent(): boolean {
    return this.#options.captureContent !== false;
  }
}
