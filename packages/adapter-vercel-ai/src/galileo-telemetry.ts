import {
  agentAttributes,
  agentSpanName,
  GalileoAttributes,
  GenAiAttributes,
  llmAttributes,
  llmSpanName,
  recordSpanError,
  runClock,
  safeJsonStringify,
  toolAttributes,
  toolSpanName,
  usageAttributes,
} from '@galileo-otel/core';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Telemetry } from 'ai';
import {
  type GalileoChatMessage,
  instructionsText,
  messagesText,
  promptMessages,
  toGalileoMessages,
} from './internal/messages.js';
import { providerName } from './internal/provider-name.js';
import { reportOnce } from './internal/report-once.js';
import { TRACER_NAME, TRACER_VERSION } from './internal/tracer-name.js';

/** What {@link GalileoTelemetryOptions.agentName} is told about a call. */
export interface AgentNameInfo {
  /** `telemetry.functionId` of the call, when set. */
  functionId: string | undefined;
  /** The model id, e.g. `gpt-4.1-mini`. */
  modelId: string;
  /** The AI SDK operation, e.g. `ai.generateText` or `ai.streamText`. */
  operationId: string;
}

/** Options of {@link galileoTelemetry}. */
export interface GalileoTelemetryOptions {
  /**
   * Tracer the spans are created with. When neither this nor `tracerProvider` is given the
   * global tracer provider is looked up for every span, so the integration may be registered
   * before or after the OpenTelemetry provider.
   * @defaultValue the global tracer, resolved per span
   */
  tracer?: Tracer | undefined;
  /**
   * Tracer provider to take the tracer from (ignored when `tracer` is given).
   * @defaultValue the global tracer provider, resolved per span
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Name of the agent span of a call (`invoke_agent <name>`).
   * @defaultValue `functionId`, else the model id
   */
  agentName?: ((info: AgentNameInfo) => string | undefined) | undefined;
  /**
   * Record prompts and messages. A call's own `telemetry.recordInputs: false` also turns it off.
   * @defaultValue `true`
   */
  recordInputs?: boolean | undefined;
  /**
   * Record outputs (model text, tool results). A call's own `telemetry.recordOutputs: false`
   * also turns it off.
   * @defaultValue `true`
   */
  recordOutputs?: boolean | undefined;
  /**
   * Key of `runtimeContext` whose value becomes `galileo.session.id`. The AI SDK only hands
   * whitelisted keys to integrations: pass `telemetry: { includeRuntimeContext: { sessionId: true } }`.
   * @defaultValue `'sessionId'`
   */
  sessionIdKey?: string | undefined;
  /**
   * Key of `runtimeContext` whose value becomes `user.id` (whitelist it like the session key).
   * @defaultValue `'userId'`
   */
  userIdKey?: string | undefined;
  /**
   * Most calls tracked at once; past it the oldest unfinished call's spans are ended (marked
   * `galileo.adapter.evicted`) so a stream nobody consumes cannot leak memory.
   * @defaultValue `10000`
   */
  maxOpenCalls?: number | undefined;
}

const STREAMING_OPERATIONS = new Set(['ai.streamText', 'ai.streamObject']);
const EMBED_OPERATIONS = new Set(['ai.embed', 'ai.embedMany']);
const AGENT_OPERATIONS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.workflowAgent.stream',
]);

type Loose = Record<string, unknown>;

interface OpenSpan {
  span: Span;
  context: Context;
}

interface CallState {
  operationId: string;
  /** Agent span (absent for embeddings, which have no wrapper span). */
  agent: Span | undefined;
  /** Context children are started in: the agent's, or the caller's for embeddings. */
  context: Context;
  provider: string | undefined;
  modelId: string;
  instructions: unknown;
  recordInputs: boolean;
  recordOutputs: boolean;
  common: Attributes;
  llm: OpenSpan | undefined;
  tools: Map<string, OpenSpan>;
  embeds: Map<string, Span>;
  toolDescriptions: Map<string, string>;
  /** Times every span of the call, so children never end after their parent (see runClock). */
  now: () => number;
}

/**
 * A Vercel AI SDK 7 telemetry integration that writes Galileo-shaped OpenTelemetry spans
 * directly (no `@ai-sdk/otel` needed): an agent span per `generateText` / `streamText` /
 * `ToolLoopAgent` call, an llm span per model call, a tool span per tool execution and an llm
 * span per embedding call. Tools run inside their span's context, so agents, `fetch` calls and
 * other spans started inside a tool nest under it.
 *
 * @example
 * import { registerTelemetry } from 'ai';
 * import { registerGalileo } from '@galileo-otel/core';
 * import { galileoTelemetry } from '@galileo-otel/adapter-vercel-ai';
 * registerGalileo({ serviceName: 'agent-a' });
 * registerTelemetry(galileoTelemetry());
 */
export function galileoTelemetry(options: GalileoTelemetryOptions = {}): Telemetry {
  return new GalileoTelemetry(options);
}

class GalileoTelemetry {
  readonly #options: GalileoTelemetryOptions;
  readonly #calls = new Map<string, CallState>();
  readonly #maxCalls: number;
  readonly #sessionKey: string;
  readonly #userKey: string;

  constructor(options: GalileoTelemetryOptions) {
    this.#options = options;
    this.#maxCalls = Math.max(1, options.maxOpenCalls ?? 10_000);
    this.#sessionKey = options.sessionIdKey ?? 'sessionId';
    this.#userKey = options.userIdKey ?? 'userId';
  }

  #tracer(): Tracer {
    return (
      this.#options.tracer ??
      (this.#options.tracerProvider ?? trace.getTracerProvider()).getTracer(
        TRACER_NAME,
        TRACER_VERSION,
      )
    );
  }

  #guard(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      reportOnce(hook, error);
    }
  }

  onStart(event: unknown): void {
    this.#guard('onStart', () => this.#start(event as Loose));
  }

  #start(event: Loose): void {
    const callId = str(event.callId);
    const operationId = str(event.operationId);
    if (!callId || !operationId) return;
    const isEmbed = EMBED_OPERATIONS.has(operationId);
    if (!isEmbed && !AGENT_OPERATIONS.has(operationId)) return;
    const modelId = str(event.modelId) ?? 'unknown';
    const provider = providerName(event.provider);
    const recordInputs = this.#options.recordInputs !== false && event.recordInputs !== false;
    const recordOutputs = this.#options.recordOutputs !== false && event.recordOutputs !== false;
    const common = this.#contextAttributes(event.runtimeContext);
    const parent = context.active();
    const state: CallState = {
      operationId,
      agent: undefined,
      context: parent,
      provider,
      modelId,
      instructions: event.instructions ?? event.system,
      recordInputs,
      recordOutputs,
      common,
      llm: undefined,
      tools: new Map(),
      embeds: new Map(),
      toolDescriptions: toolDescriptions(event.tools),
      now: runClock(),
    };
    if (!isEmbed) {
      const functionId = str(event.functionId);
      const name =
        this.#options.agentName?.({ functionId, modelId, operationId }) ?? functionId ?? modelId;
      const input = event.messages ?? event.prompt;
      const attributes: Attributes = {
        ...agentAttributes({ name, provider }),
        [GenAiAttributes.REQUEST_MODEL]: modelId,
        'ai.operationId': operationId,
        ...common,
      };
      if (recordInputs) {
        if (input !== undefined) {
          attributes[GenAiAttributes.INPUT_MESSAGES] = messagesText(toGalileoMessages(input));
        }
        const system = instructionsText(state.instructions);
        if (system) attributes[GenAiAttributes.SYSTEM_INSTRUCTIONS] = system;
      }
      const span = this.#tracer().startSpan(
        agentSpanName(name),
        { kind: SpanKind.INTERNAL, attributes, startTime: state.now() },
        parent,
      );
      state.agent = span;
      state.context = trace.setSpan(parent, span);
    }
    this.#remember(callId, state);
  }

  #contextAttributes(runtimeContext: unknown): Attributes {
    const out: Attributes = {};
    if (!runtimeContext || typeof runtimeContext !== 'object') return out;
    const values = runtimeContext as Loose;
    const sessionId = scalar(values[this.#sessionKey]);
    if (sessionId) {
      out[GalileoAttributes.SESSION_ID] = sessionId;
      out[GalileoAttributes.OTEL_SESSION_ID] = sessionId;
    }
    const userId = scalar(values[this.#userKey]);
    if (userId) out[GalileoAttributes.USER_ID] = userId;
    return out;
  }

  #remember(callId: string, state: CallState): void {
    while (this.#calls.size >= this.#maxCalls) {
      const oldest = this.#calls.keys().next().value;
      if (oldest === undefined) break;
      const stale = this.#calls.get(oldest);
      this.#calls.delete(oldest);
      if (stale) endAll(stale, undefined, { 'galileo.adapter.evicted': true });
    }
    this.#calls.set(callId, state);
  }

  #state(event: unknown): CallState | undefined {
    const callId = str((event as Loose | undefined)?.callId);
    return callId ? this.#calls.get(callId) : undefined;
  }

  onLanguageModelCallStart(event: unknown): void {
    this.#guard('onLanguageModelCallStart', () => {
      const e = event as Loose;
      const state = this.#state(e);
      if (!state) return;
      const instructions = e.instructions ?? state.instructions;
      this.#startLlm(state, {
        modelId: str(e.modelId) ?? state.modelId,
        provider: providerName(e.provider) ?? state.provider,
        input: state.recordInputs ? promptMessages(instructions, e.messages) : undefined,
        instructions: state.recordInputs ? instructionsText(instructions) : undefined,
        tools: e.tools,
      });
    });
  }

  /** generateObject / streamObject report their single model call as an object step. */
  onObjectStepStart(event: unknown): void {
    this.#guard('onObjectStepStart', () => {
      const e = event as Loose;
      const state = this.#state(e);
      if (!state) return;
      this.#startLlm(state, {
        modelId: str(e.modelId) ?? state.modelId,
        provider: providerName(e.provider) ?? state.provider,
        input: state.recordInputs ? promptMessages(undefined, e.promptMessages) : undefined,
        instructions: state.recordInputs ? instructionsText(state.instructions) : undefined,
        tools: undefined,
      });
    });
  }

  #startLlm(
    state: CallState,
    call: {
      modelId: string;
      provider: string | undefined;
      input: GalileoChatMessage[] | undefined;
      instructions: string | undefined;
      tools: unknown;
    },
  ): void {
    if (state.llm) state.llm.span.end(state.now());
    const attributes: Attributes = {
      ...llmAttributes({
        model: call.modelId,
        provider: call.provider,
        systemInstructions: call.instructions,
      }),
      ...state.common,
    };
    if (STREAMING_OPERATIONS.has(state.operationId)) attributes['gen_ai.request.stream'] = true;
    if (call.input) attributes[GenAiAttributes.INPUT_MESSAGES] = messagesText(call.input);
    if (Array.isArray(call.tools) && call.tools.length > 0) {
      attributes['gen_ai.tool.definitions'] = safeJsonStringify(call.tools);
    }
    const span = this.#tracer().startSpan(
      llmSpanName(call.modelId),
      { kind: SpanKind.CLIENT, attributes, startTime: state.now() },
      state.context,
    );
    state.llm = { span, context: trace.setSpan(state.context, span) };
  }

  onLanguageModelCallEnd(event: unknown): void {
    this.#guard('onLanguageModelCallEnd', () => {
      const e = event as Loose;
      const state = this.#state(e);
      const llm = state?.llm;
      if (!state || !llm) return;
      state.llm = undefined;
      const span = llm.span;
      const usage = (e.usage ?? {}) as Loose;
      const performance = (e.performance ?? {}) as Loose;
      const finishReason = str(e.finishReason);
      span.setAttributes({
        ...responseAttributes(e),
        ...usageAttributes({
          inputTokens: num(usage.inputTokens),
          outputTokens: num(usage.outputTokens),
          totalTokens: num(usage.totalTokens),
        }),
      });
      if (finishReason) span.setAttribute(GenAiAttributes.FINISH_REASONS, [finishReason]);
      const firstChunkMs = num(performance.timeToFirstOutputMs);
      if (firstChunkMs !== undefined && STREAMING_OPERATIONS.has(state.operationId)) {
        span.setAttribute(GenAiAttributes.TIME_TO_FIRST_CHUNK, firstChunkMs / 1000);
      }
      const responseMs = num(performance.responseTimeMs);
      if (responseMs !== undefined) {
        span.setAttribute('gen_ai.client.operation.duration', responseMs / 1000);
      }
      if (state.recordOutputs && Array.isArray(e.content)) {
        span.setAttribute(
          GenAiAttributes.OUTPUT_MESSAGES,
          messagesText(toGalileoMessages([{ role: 'assistant', content: e.content }])),
        );
      }
      if (finishReason === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(state.now());
    });
  }

  onObjectStepEnd(event: unknown): void {
    this.#guard('onObjectStepEnd', () => {
      const e = event as Loose;
      const state = this.#state(e);
      const llm = state?.llm;
      if (!state || !llm) return;
      state.llm = undefined;
      const usage = (e.usage ?? {}) as Loose;
      const response = (e.response ?? {}) as Loose;
      const finishReason = str(e.finishReason);
      const span = llm.span;
      span.setAttributes({
        ...usageAttributes({
          inputTokens: num(usage.inputTokens),
          outputTokens: num(usage.outputTokens),
          totalTokens: num(usage.totalTokens),
        }),
      });
      const responseId = str(response.id);
      if (responseId) span.setAttribute(GenAiAttributes.RESPONSE_ID, responseId);
      const responseModel = str(response.modelId);
      if (responseModel) span.setAttribute(GenAiAttributes.RESPONSE_MODEL, responseModel);
      if (finishReason) span.setAttribute(GenAiAttributes.FINISH_REASONS, [finishReason]);
      // streamObject reports its first chunk here, not in a `performance` block.
      const firstChunkMs = num(e.msToFirstChunk);
      if (firstChunkMs !== undefined && STREAMING_OPERATIONS.has(state.operationId)) {
        span.setAttribute(GenAiAttributes.TIME_TO_FIRST_CHUNK, firstChunkMs / 1000);
      }
      if (state.recordOutputs && typeof e.objectText === 'string') {
        span.setAttribute(
          GenAiAttributes.OUTPUT_MESSAGES,
          messagesText([{ role: 'assistant', content: e.objectText }]),
        );
      }
      if (finishReason === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(state.now());
    });
  }

  onStepError(event: unknown): void {
    this.#guard('onStepError', () => {
      const e = event as Loose;
      const state = this.#state(e);
      if (!state?.llm) return;
      recordSpanError(state.llm.span, e.error);
      state.llm.span.end(state.now());
      state.llm = undefined;
    });
  }

  onToolExecutionStart(event: unknown): void {
    this.#guard('onToolExecutionStart', () => {
      const e = event as Loose;
      const state = this.#state(e);
      const call = (e.toolCall ?? {}) as Loose;
      const toolCallId = str(call.toolCallId);
      if (!state || !toolCallId) return;
      const name = str(call.toolName) ?? 'tool';
      const attributes: Attributes = {
        ...toolAttributes({
          name,
          callId: toolCallId,
          type: call.providerExecuted ? 'extension' : 'function',
          description: state.toolDescriptions.get(name),
          arguments: state.recordInputs ? (call.input ?? {}) : undefined,
        }),
        ...state.common,
      };
      const span = this.#tracer().startSpan(
        toolSpanName(name),
        { kind: SpanKind.INTERNAL, attributes, startTime: state.now() },
        state.context,
      );
      state.tools.set(toolCallId, { span, context: trace.setSpan(state.context, span) });
    });
  }

  onToolExecutionEnd(event: unknown): void {
    this.#guard('onToolExecutionEnd', () => {
      const e = event as Loose;
      const state = this.#state(e);
      const toolCallId = str(((e.toolCall ?? {}) as Loose).toolCallId);
      const tool = toolCallId ? state?.tools.get(toolCallId) : undefined;
      if (!state || !tool || !toolCallId) return;
      state.tools.delete(toolCallId);
      const output = (e.toolOutput ?? {}) as Loose;
      if (output.type === 'tool-error' || e.success === false) {
        recordSpanError(tool.span, output.error ?? e.error);
      } else if (state.recordOutputs) {
        const result = output.output ?? e.output;
        if (result !== undefined) {
          tool.span.setAttribute(
            GenAiAttributes.TOOL_CALL_RESULT,
            typeof result === 'string' ? result : safeJsonStringify(result),
          );
        }
      }
      tool.span.end(state.now());
    });
  }

  onEmbedStart(event: unknown): void {
    this.#guard('onEmbedStart', () => {
      const e = event as Loose;
      const state = this.#state(e);
      const embedCallId = str(e.embedCallId);
      if (!state || !embedCallId) return;
      const modelId = str(e.modelId) ?? state.modelId;
      const values = Array.isArray(e.values) ? e.values : [];
      const attributes: Attributes = {
        ...llmAttributes({
          operation: 'embeddings',
          model: modelId,
          provider: providerName(e.provider) ?? state.provider,
        }),
        ...state.common,
      };
      if (state.recordInputs && values.length > 0) {
        attributes[GenAiAttributes.INPUT_MESSAGES] = messagesText(
          values.map((value) => ({
            role: 'user',
            content: str(value) ?? safeJsonStringify(value),
          })),
        );
      }
      const span = this.#tracer().startSpan(
        llmSpanName(modelId, 'embeddings'),
        { kind: SpanKind.CLIENT, attributes, startTime: state.now() },
        state.context,
      );
      state.embeds.set(embedCallId, span);
    });
  }

  onEmbedEnd(event: unknown): void {
    this.#guard('onEmbedEnd', () => {
      const e = event as Loose;
      const state = this.#state(e);
      const embedCallId = str(e.embedCallId);
      const span = embedCallId ? state?.embeds.get(embedCallId) : undefined;
      if (!state || !span || !embedCallId) return;
      state.embeds.delete(embedCallId);
      const usage = (e.usage ?? {}) as Loose;
      span.setAttributes(usageAttributes({ inputTokens: num(usage.tokens), outputTokens: 0 }));
      const embeddings = Array.isArray(e.embeddings) ? e.embeddings : [];
      const dimensions = Array.isArray(embeddings[0]) ? embeddings[0].length : 0;
      span.setAttribute('gen_ai.embeddings.dimension.count', dimensions);
      if (state.recordOutputs) {
        span.setAttribute(
          GenAiAttributes.OUTPUT_MESSAGES,
          messagesText([
            {
              role: 'assistant',
              content: `${embeddings.length} embedding(s) of ${dimensions} dimensions`,
            },
          ]),
        );
      }
      span.end(state.now());
    });
  }

  onEnd(event: unknown): void {
    this.#guard('onEnd', () => {
      const e = event as Loose;
      const callId = str(e.callId);
      const state = callId ? this.#calls.get(callId) : undefined;
      if (!state || !callId) return;
      this.#calls.delete(callId);
      const agent = state.agent;
      if (agent) {
        const finishReason = str(e.finishReason);
        if (finishReason) agent.setAttribute(GenAiAttributes.FINISH_REASONS, [finishReason]);
        if (state.recordOutputs) {
          const output = agentOutput(e);
          if (output) agent.setAttribute(GenAiAttributes.OUTPUT_MESSAGES, messagesText(output));
        }
        if (finishReason === 'error') agent.setStatus({ code: SpanStatusCode.ERROR });
      }
      endAll(state, undefined, undefined);
    });
  }

  onError(event: unknown): void {
    this.#guard('onError', () => {
      const e = event as Loose | undefined;
      const callId = str(e?.callId);
      const state = callId ? this.#calls.get(callId) : undefined;
      if (!state || !callId) return;
      this.#calls.delete(callId);
      endAll(state, e?.error ?? event, undefined);
    });
  }

  onAbort(event: unknown): void {
    this.#guard('onAbort', () => {
      const callId = str((event as Loose | undefined)?.callId);
      const state = callId ? this.#calls.get(callId) : undefined;
      if (!state || !callId) return;
      this.#calls.delete(callId);
      const aborted = new Error('The call was aborted before it finished.');
      aborted.name = 'AbortError';
      endAll(state, aborted, undefined);
    });
  }

  /** Runs a tool inside its span's context, so work started by the tool nests under it. */
  executeTool<T>(options: {
    callId: string;
    toolCallId: string;
    execute: () => PromiseLike<T>;
  }): PromiseLike<T> {
    let target: Context | undefined;
    try {
      const state = this.#calls.get(options.callId);
      target = state?.tools.get(options.toolCallId)?.context ?? state?.context;
    } catch (error) {
      reportOnce('executeTool', error);
    }
    return target ? context.with(target, options.execute) : options.execute();
  }

  /** Runs the provider request inside the llm span's context (HTTP spans nest under it). */
  executeLanguageModelCall<T>(options: {
    callId: string;
    execute: () => PromiseLike<T>;
  }): PromiseLike<T> {
    let target: Context | undefined;
    try {
      target = this.#calls.get(options.callId)?.llm?.context;
    } catch (error) {
      reportOnce('executeLanguageModelCall', error);
    }
    return target ? context.with(target, options.execute) : options.execute();
  }
}

/** Ends every span still open for a call; with `error`, marks each one as failed. */
function endAll(state: CallState, error: unknown, attributes: Attributes | undefined): void {
  const finish = (span: Span) => {
    try {
      if (attributes) span.setAttributes(attributes);
      if (error !== undefined) recordSpanError(span, error);
      span.end(state.now());
    } catch (failure) {
      reportOnce('endAll', failure);
    }
  };
  for (const tool of state.tools.values()) finish(tool.span);
  state.tools.clear();
  if (state.llm) finish(state.llm.span);
  state.llm = undefined;
  for (const span of state.embeds.values()) finish(span);
  state.embeds.clear();
  if (state.agent) finish(state.agent);
}

function responseAttributes(event: Loose): Attributes {
  const out: Attributes = {};
  const responseId = str(event.responseId);
  if (responseId) out[GenAiAttributes.RESPONSE_ID] = responseId;
  const responseModel = str(event.modelId);
  if (responseModel) out[GenAiAttributes.RESPONSE_MODEL] = responseModel;
  return out;
}

/** The agent's answer: the object for structured output, else the final text and tool calls. */
function agentOutput(event: Loose): GalileoChatMessage[] | undefined {
  if (event.object !== undefined) {
    return [{ role: 'assistant', content: safeJsonStringify(event.object) }];
  }
  if (typeof event.text === 'string' && event.text !== '') {
    return [{ role: 'assistant', content: event.text }];
  }
  if (Array.isArray(event.content)) {
    return toGalileoMessages([{ role: 'assistant', content: event.content }]);
  }
  return undefined;
}

function toolDescriptions(tools: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!tools || typeof tools !== 'object') return out;
  const entries = Array.isArray(tools)
    ? tools.map((t) => [str((t as Loose)?.name) ?? '', t] as const)
    : Object.entries(tools as Loose);
  for (const [name, tool] of entries) {
    const description = str((tool as Loose | undefined)?.description);
    if (name && description) out.set(name, description);
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
