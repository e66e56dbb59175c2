import {
  agentAttributes,
  agentSpanName,
  asNumber,
  asScalarText,
  asString,
  GalileoAttributes,
  GenAiAttributes,
  type IncompleteReason,
  isRecord,
  llmAttributes,
  llmSpanName,
  markIncomplete,
  messagesJson,
  RunRegistry,
  recordSpanError,
  runClock,
  safeJsonStringify,
  sessionAttributes,
  toolAttributes,
  toolSpanName,
  usageAttributes,
} from '@galileo-otel/core/adapter';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { LanguageModelUsage, Telemetry } from 'ai';
import { log } from './internal/log.js';
import { instructionsText, promptMessages, toGalileoMessages } from './internal/messages.js';
import { PACKAGE } from './internal/package-info.js';
import { providerName } from './internal/provider-name.js';

/** What {@link VercelAiTelemetryOptions.agentName} is told about a call. */
export interface AgentNameInfo {
  /** `telemetry.functionId` of the call, when set. */
  functionId: string | undefined;
  /** The model id, e.g. `gpt-4.1-mini`. */
  modelId: string;
  /** The AI SDK operation, e.g. `ai.generateText` or `ai.streamText`. */
  operationId: string;
}

/** Options of {@link vercelAiTelemetry}. */
export interface VercelAiTelemetryOptions {
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
   * Key of `runtimeContext` whose value becomes `galileo.session.id` and `session.id`. The AI SDK
   * only hands whitelisted keys to integrations: pass
   * `telemetry: { includeRuntimeContext: { sessionId: true } }`.
   * @defaultValue `'sessionId'`
   */
  sessionIdKey?: string | undefined;
  /**
   * Key of `runtimeContext` whose value becomes `user.id` (whitelist it like the session key).
   * @defaultValue `'userId'`
   */
  userIdKey?: string | undefined;
  /**
   * Most calls tracked at once. Past it the oldest unfinished call's spans are ended, marked
   * `galileo.incomplete = true` and `galileo.incomplete.reason = 'evicted'`, so a stream nobody
   * consumes cannot grow memory.
   * @defaultValue `1000`
   */
  maxOpenRuns?: number | undefined;
  /**
   * @deprecated Use `maxOpenRuns`. Still honoured when `maxOpenRuns` is not set, with a warning.
   */
  maxOpenCalls?: number | undefined;
}

/**
 * @deprecated Use {@link VercelAiTelemetryOptions}.
 */
export type GalileoTelemetryOptions = VercelAiTelemetryOptions;

/** The event the AI SDK hands to the integration hook `K`, exactly as `ai` declares it. */
type TelemetryEvent<K extends keyof Telemetry> =
  NonNullable<Telemetry[K]> extends (event: infer E) => unknown ? E : never;

const STREAMING_OPERATIONS = new Set(['ai.streamText', 'ai.streamObject']);
const EMBED_OPERATIONS = new Set(['ai.embed', 'ai.embedMany']);
const AGENT_OPERATIONS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.workflowAgent.stream',
]);

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
 * other spans started inside a tool nest under it. Register it with the AI SDK's
 * `registerTelemetry` (it is not an adapter for `registerGalileo`).
 *
 * @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1.
 * @example
 * import { registerTelemetry } from 'ai';
 * import { registerGalileo } from '@galileo-otel/core';
 * import { vercelAiTelemetry } from '@galileo-otel/adapter-vercel-ai';
 * registerGalileo({ serviceName: 'agent-a' });
 * registerTelemetry(vercelAiTelemetry());
 */
export function vercelAiTelemetry(options: VercelAiTelemetryOptions = {}): Telemetry {
  return new VercelAiTelemetry(options);
}

/**
 * @deprecated Use {@link vercelAiTelemetry}: the same integration under the name that follows
 * the `<framework><Part>()` rule.
 */
export function galileoTelemetry(options: VercelAiTelemetryOptions = {}): Telemetry {
  return vercelAiTelemetry(options);
}

class VercelAiTelemetry implements Telemetry {
  readonly #options: VercelAiTelemetryOptions;
  readonly #calls: RunRegistry<string, CallState>;
  readonly #sessionKey: string;
  readonly #userKey: string;

  constructor(options: VercelAiTelemetryOptions) {
    this.#options = options;
    if (options.maxOpenCalls !== undefined) {
      log.warnOnce(
        'maxOpenCalls',
        'the option maxOpenCalls is deprecated: pass maxOpenRuns instead (same meaning).',
      );
    }
    this.#calls = new RunRegistry({
      maxOpenRuns: options.maxOpenRuns ?? options.maxOpenCalls,
      abandon: (state, reason) => endAll(state, undefined, reason),
    });
    this.#sessionKey = options.sessionIdKey ?? 'sessionId';
    this.#userKey = options.userIdKey ?? 'userId';
  }

  #tracer(): Tracer {
    return this.#options.tracer ?? PACKAGE.tracer(this.#options.tracerProvider);
  }

  onStart(event: TelemetryEvent<'onStart'>): void {
    log.guard('onStart', () => this.#start(event));
  }

  #start(event: TelemetryEvent<'onStart'>): void {
    const { callId, operationId } = event;
    if (!callId || !operationId) return;
    const isEmbed = EMBED_OPERATIONS.has(operationId);
    if (!isEmbed && !AGENT_OPERATIONS.has(operationId)) return;
    const modelId = asString(event.modelId) ?? 'unknown';
    const provider = providerName(event.provider);
    const recordInputs = this.#options.recordInputs !== false && event.recordInputs !== false;
    const recordOutputs = this.#options.recordOutputs !== false && event.recordOutputs !== false;
    const common = this.#contextAttributes(
      'runtimeContext' in event ? event.runtimeContext : undefined,
    );
    const parent = context.active();
    const state: CallState = {
      operationId,
      agent: undefined,
      context: parent,
      provider,
      modelId,
      instructions:
        'system' in event ? event.system : 'instructions' in event ? event.instructions : undefined,
      recordInputs,
      recordOutputs,
      common,
      llm: undefined,
      tools: new Map(),
      embeds: new Map(),
      toolDescriptions:
        'tools' in event && isRecord(event.tools) ? toolDescriptions(event.tools) : new Map(),
      now: runClock(),
    };
    if (!isEmbed) {
      const functionId = asString(event.functionId);
      const name =
        this.#options.agentName?.({ functionId, modelId, operationId }) ?? functionId ?? modelId;
      const attributes: Attributes = {
        ...agentAttributes({ name, provider }),
        [GenAiAttributes.REQUEST_MODEL]: modelId,
        'ai.operationId': operationId,
        ...common,
      };
      if (recordInputs) {
        const input =
          'prompt' in event
            ? (event.messages ?? event.prompt)
            : 'messages' in event
              ? event.messages
              : undefined;
        if (input !== undefined) {
          attributes[GenAiAttributes.INPUT_MESSAGES] = messagesJson(toGalileoMessages(input));
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
    this.#calls.set(callId, state);
  }

  /** Session (through the kit, so a hostile id is refused) and user ids from `runtimeContext`. */
  #contextAttributes(runtimeContext: Record<string, unknown> | undefined): Attributes {
    if (!isRecord(runtimeContext)) return {};
    const out = sessionAttributes(asScalarText(runtimeContext[this.#sessionKey]));
    const userId = asScalarText(runtimeContext[this.#userKey]);
    if (userId) out[GalileoAttributes.USER_ID] = userId;
    return out;
  }

  onLanguageModelCallStart(event: TelemetryEvent<'onLanguageModelCallStart'>): void {
    log.guard('onLanguageModelCallStart', () => {
      const state = this.#calls.get(event.callId);
      if (!state) return;
      const instructions = event.instructions ?? state.instructions;
      this.#startLlm(state, {
        modelId: asString(event.modelId) ?? state.modelId,
        provider: providerName(event.provider) ?? state.provider,
        input: state.recordInputs ? promptMessages(instructions, event.messages) : undefined,
        instructions: state.recordInputs ? instructionsText(instructions) : undefined,
        tools: event.tools,
      });
    });
  }

  /** generateObject / streamObject report their single model call as an object step. */
  onObjectStepStart(event: TelemetryEvent<'onObjectStepStart'>): void {
    log.guard('onObjectStepStart', () => {
      const state = this.#calls.get(event.callId);
      if (!state) return;
      this.#startLlm(state, {
        modelId: asString(event.modelId) ?? state.modelId,
        provider: providerName(event.provider) ?? state.provider,
        input: state.recordInputs ? promptMessages(undefined, event.promptMessages) : undefined,
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
      input: unknown;
      instructions: string | undefined;
      tools: readonly unknown[] | undefined;
    },
  ): void {
    if (state.llm) state.llm.span.end(state.now());
    const attributes: Attributes = {
      ...llmAttributes({
        model: call.modelId,
        provider: call.provider,
        systemInstructions: call.instructions,
        inputMessages: call.input,
      }),
      ...state.common,
    };
    if (STREAMING_OPERATIONS.has(state.operationId)) attributes['gen_ai.request.stream'] = true;
    if (call.tools && call.tools.length > 0) {
      attributes['gen_ai.tool.definitions'] = safeJsonStringify(call.tools);
    }
    const span = this.#tracer().startSpan(
      llmSpanName(call.modelId),
      { kind: SpanKind.CLIENT, attributes, startTime: state.now() },
      state.context,
    );
    state.llm = { span, context: trace.setSpan(state.context, span) };
  }

  onLanguageModelCallEnd(event: TelemetryEvent<'onLanguageModelCallEnd'>): void {
    log.guard('onLanguageModelCallEnd', () => {
      const state = this.#calls.get(event.callId);
      const llm = state?.llm;
      if (!state || !llm) return;
      state.llm = undefined;
      const span = llm.span;
      const { finishReason, performance } = event;
      span.setAttributes({
        ...responseAttributes(event.responseId, event.modelId),
        ...tokenUsage(event.usage),
      });
      if (finishReason) span.setAttribute(GenAiAttributes.FINISH_REASONS, [finishReason]);
      const firstChunkMs = asNumber(performance?.timeToFirstOutputMs);
      if (firstChunkMs !== undefined && STREAMING_OPERATIONS.has(state.operationId)) {
        span.setAttribute(GenAiAttributes.TIME_TO_FIRST_CHUNK, firstChunkMs / 1000);
      }
      const responseMs = asNumber(performance?.responseTimeMs);
      if (responseMs !== undefined) {
        span.setAttribute('gen_ai.client.operation.duration', responseMs / 1000);
      }
      if (state.recordOutputs && Array.isArray(event.content)) {
        span.setAttribute(
          GenAiAttributes.OUTPUT_MESSAGES,
          messagesJson(toGalileoMessages([{ role: 'assistant', content: event.content }])),
        );
      }
      if (finishReason === 'error') recordSpanError(span, finishedWithError());
      span.end(state.now());
    });
  }

  onObjectStepEnd(event: TelemetryEvent<'onObjectStepEnd'>): void {
    log.guard('onObjectStepEnd', () => {
      const state = this.#calls.get(event.callId);
      const llm = state?.llm;
      if (!state || !llm) return;
      state.llm = undefined;
      const { finishReason } = event;
      const span = llm.span;
      span.setAttributes({
        ...responseAttributes(event.response?.id, event.response?.modelId),
        ...tokenUsage(event.usage),
      });
      if (finishReason) span.setAttribute(GenAiAttributes.FINISH_REASONS, [finishReason]);
      // streamObject reports its first chunk here, not in a `performance` block.
      const firstChunkMs = asNumber(event.msToFirstChunk);
      if (firstChunkMs !== undefined && STREAMING_OPERATIONS.has(state.operationId)) {
        span.setAttribute(GenAiAttributes.TIME_TO_FIRST_CHUNK, firstChunkMs / 1000);
      }
      if (state.recordOutputs && typeof event.objectText === 'string') {
        span.setAttribute(
          GenAiAttributes.OUTPUT_MESSAGES,
          messagesJson([{ role: 'assistant', content: event.objectText }]),
        );
      }
      if (finishReason === 'error') recordSpanError(span, finishedWithError());
      span.end(state.now());
    });
  }

  onStepError(event: TelemetryEvent<'onStepError'>): void {
    log.guard('onStepError', () => {
      const state = this.#calls.get(event.callId);
      if (!state?.llm) return;
      recordSpanError(state.llm.span, event.error);
      state.llm.span.end(state.now());
      state.llm = undefined;
    });
  }

  onToolExecutionStart(event: TelemetryEvent<'onToolExecutionStart'>): void {
    log.guard('onToolExecutionStart', () => {
      const state = this.#calls.get(event.callId);
      const call = event.toolCall;
      const toolCallId = asScalarText(call?.toolCallId);
      if (!state || !toolCallId) return;
      const name = asString(call.toolName) ?? 'tool';
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

  onToolExecutionEnd(event: TelemetryEvent<'onToolExecutionEnd'>): void {
    log.guard('onToolExecutionEnd', () => {
      const state = this.#calls.get(event.callId);
      const toolCallId = asScalarText(event.toolCall?.toolCallId);
      const tool = toolCallId ? state?.tools.get(toolCallId) : undefined;
      if (!state || !tool || !toolCallId) return;
      state.tools.delete(toolCallId);
      const output = event.toolOutput;
      if (output?.type === 'tool-error') {
        recordSpanError(tool.span, output.error);
      } else if (state.recordOutputs && output?.output !== undefined) {
        const result = output.output;
        tool.span.setAttribute(
          GenAiAttributes.TOOL_CALL_RESULT,
          typeof result === 'string' ? result : safeJsonStringify(result),
        );
      }
      tool.span.end(state.now());
    });
  }

  onEmbedStart(event: TelemetryEvent<'onEmbedStart'>): void {
    log.guard('onEmbedStart', () => {
      const state = this.#calls.get(event.callId);
      const embedCallId = asString(event.embedCallId);
      if (!state || !embedCallId) return;
      const modelId = asString(event.modelId) ?? state.modelId;
      const values = Array.isArray(event.values) ? event.values : [];
      const attributes: Attributes = {
        ...llmAttributes({
          operation: 'embeddings',
          model: modelId,
          provider: providerName(event.provider) ?? state.provider,
          inputMessages:
            state.recordInputs && values.length > 0
              ? values.map((value) => ({ role: 'user', content: value }))
              : undefined,
        }),
        ...state.common,
      };
      const span = this.#tracer().startSpan(
        llmSpanName(modelId, 'embeddings'),
        { kind: SpanKind.CLIENT, attributes, startTime: state.now() },
        state.context,
      );
      state.embeds.set(embedCallId, span);
    });
  }

  onEmbedEnd(event: TelemetryEvent<'onEmbedEnd'>): void {
    log.guard('onEmbedEnd', () => {
      const state = this.#calls.get(event.callId);
      const embedCallId = asString(event.embedCallId);
      const span = embedCallId ? state?.embeds.get(embedCallId) : undefined;
      if (!state || !span || !embedCallId) return;
      state.embeds.delete(embedCallId);
      span.setAttributes(
        usageAttributes({ inputTokens: asNumber(event.usage?.tokens), outputTokens: 0 }),
      );
      const embeddings = Array.isArray(event.embeddings) ? event.embeddings : [];
      const dimensions = Array.isArray(embeddings[0]) ? embeddings[0].length : 0;
      span.setAttribute('gen_ai.embeddings.dimension.count', dimensions);
      if (state.recordOutputs) {
        span.setAttribute(
          GenAiAttributes.OUTPUT_MESSAGES,
          messagesJson([
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

  onEnd(event: TelemetryEvent<'onEnd'>): void {
    log.guard('onEnd', () => {
      const state = this.#calls.delete(event.callId);
      if (!state) return;
      const agent = state.agent;
      if (agent) {
        const finishReason = 'finishReason' in event ? event.finishReason : undefined;
        if (finishReason) agent.setAttribute(GenAiAttributes.FINISH_REASONS, [finishReason]);
        if (state.recordOutputs) {
          const output = agentOutput(event);
          if (output) agent.setAttribute(GenAiAttributes.OUTPUT_MESSAGES, messagesJson(output));
        }
        if (finishReason === 'error') recordSpanError(agent, finishedWithError());
      }
      endAll(state, undefined, undefined);
    });
  }

  /** The AI SDK types this event as `unknown`: an object with `callId` and `error`. */
  onError(event: unknown): void {
    log.guard('onError', () => {
      const callId = isRecord(event) ? asString(event.callId) : undefined;
      const state = callId ? this.#calls.delete(callId) : undefined;
      if (!state) return;
      endAll(state, isRecord(event) && 'error' in event ? event.error : event, undefined);
    });
  }

  onAbort(event: TelemetryEvent<'onAbort'>): void {
    log.guard('onAbort', () => {
      const state = this.#calls.delete(event.callId);
      if (!state) return;
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
    const target = log.guard('executeTool', () => {
      const state = this.#calls.get(options.callId);
      return state?.tools.get(options.toolCallId)?.context ?? state?.context;
    });
    return target ? context.with(target, options.execute) : options.execute();
  }

  /** Runs the provider request inside the llm span's context (HTTP spans nest under it). */
  executeLanguageModelCall<T>(options: {
    callId: string;
    execute: () => PromiseLike<T>;
  }): PromiseLike<T> {
    const target = log.guard(
      'executeLanguageModelCall',
      () => this.#calls.get(options.callId)?.llm?.context,
    );
    return target ? context.with(target, options.execute) : options.execute();
  }
}

/**
 * Ends every span still open for a call: with `error`, each is marked failed; with `reason`
 * (the registry gave up on the call), each is marked incomplete.
 */
function endAll(state: CallState, error: unknown, reason: IncompleteReason | undefined): void {
  const finish = (span: Span) =>
    log.guard('endAll', () => {
      if (reason !== undefined) markIncomplete(span, reason);
      if (error !== undefined) recordSpanError(span, error);
      span.end(state.now());
    });
  for (const tool of state.tools.values()) finish(tool.span);
  state.tools.clear();
  if (state.llm) finish(state.llm.span);
  state.llm = undefined;
  for (const span of state.embeds.values()) finish(span);
  state.embeds.clear();
  if (state.agent) finish(state.agent);
}

/**
 * A model call that ended with finish reason `error` (a provider error part in the stream): the
 * AI SDK hands no error object for it, so the span gets this one, named after the situation.
 */
function finishedWithError(): Error {
  const error = new Error('The model call finished with reason "error".');
  error.name = 'FinishReasonError';
  return error;
}

function responseAttributes(responseId: unknown, responseModel: unknown): Attributes {
  const out: Attributes = {};
  const id = asString(responseId);
  if (id) out[GenAiAttributes.RESPONSE_ID] = id;
  const model = asString(responseModel);
  if (model) out[GenAiAttributes.RESPONSE_MODEL] = model;
  return out;
}

function tokenUsage(usage: LanguageModelUsage | undefined): Attributes {
  return usageAttributes({
    inputTokens: asNumber(usage?.inputTokens),
    outputTokens: asNumber(usage?.outputTokens),
    totalTokens: asNumber(usage?.totalTokens),
  });
}

/** The agent's answer: the object for structured output, else the final text and tool calls. */
function agentOutput(event: TelemetryEvent<'onEnd'>): unknown[] | undefined {
  if ('object' in event && event.object !== undefined) {
    return [{ role: 'assistant', content: safeJsonStringify(event.object) }];
  }
  if ('text' in event && typeof event.text === 'string' && event.text !== '') {
    return [{ role: 'assistant', content: event.text }];
  }
  if ('content' in event && Array.isArray(event.content)) {
    return toGalileoMessages([{ role: 'assistant', content: event.content }]);
  }
  return undefined;
}

function toolDescriptions(tools: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, tool] of Object.entries(tools)) {
    const description = isRecord(tool) ? asString(tool.description) : undefined;
    if (name && description) out.set(name, description);
  }
  return out;
}
