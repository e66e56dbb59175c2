import {
  type AdapterHost,
  type AdapterStartDecision,
  agentSpanName,
  asNumber,
  asScalarText,
  asString,
  type GalileoAdapter,
  GalileoAttributes,
  type GalileoMessage,
  GenAiAttributes,
  isRecord,
  llmSpanName,
  messagesJson,
  recordSpanError,
  type SpanTranslation,
  safeJsonStringify,
  sessionAttributes,
  toolSpanName,
  usageAttributes,
} from '@galileo-otel/core/adapter';
import { type Attributes, type Context, SpanStatusCode, trace } from '@opentelemetry/api';
import { log } from './internal/log.js';
import {
  instructionsText,
  parseJson,
  promptMessages,
  toGalileoMessages,
} from './internal/messages.js';
import { PACKAGE } from './internal/package-info.js';
import { providerName } from './internal/provider-name.js';

/** Options of {@link vercelAi}. */
export interface VercelAiAdapterOptions {
  /**
   * Instrumentation scope names of `@ai-sdk/otel` tracers. Spans from other scopes are left
   * alone unless they carry the legacy `ai.operationId` attribute. Add yours when you pass
   * `new OpenTelemetry({ tracer })` with a tracer of another name.
   * @defaultValue `['gen_ai', 'ai']`
   */
  instrumentationScopes?: readonly string[] | undefined;
  /**
   * Key of the runtime context (`ai.settings.context.<key>`) whose value becomes
   * `galileo.session.id` on the call's spans.
   * @defaultValue `'sessionId'`
   */
  sessionIdKey?: string | undefined;
  /**
   * Key of the runtime context whose value becomes `user.id`.
   * @defaultValue `'userId'`
   */
  userIdKey?: string | undefined;
}

const AGENT_OPERATIONS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
]);
const EMBED_CALL_OPERATIONS = new Set(['ai.embed.doEmbed', 'ai.embedMany.doEmbed']);
const MAX_OUTER_EMBEDDINGS = 10_000;
const USAGE_KEYS = [
  GenAiAttributes.USAGE_INPUT_TOKENS,
  GenAiAttributes.USAGE_OUTPUT_TOKENS,
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
];

// The span types of the adapter contract, taken from it so no SDK package is needed at run time.
type Span = Parameters<NonNullable<GalileoAdapter['onStart']>>[0];
type ReadableSpan = Parameters<NonNullable<GalileoAdapter['translate']>>[0];
type Attrs = ReadableSpan['attributes'];

/**
 * A Galileo adapter for apps that already trace the Vercel AI SDK with `@ai-sdk/otel`
 * (`OpenTelemetry` or `LegacyOpenTelemetry`): drops the `step n` wrapper spans (their children
 * move up to the agent), and rewrites the rest into Galileo's shapes — agent, llm, tool and
 * embeddings spans with `{role, content}` messages, both token-name families and session ids.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { vercelAi } from '@galileo-otel/adapter-vercel-ai';
 * registerGalileo({ adapters: [vercelAi()] });
 * registerTelemetry(new OpenTelemetry()); // construct it after registerGalileo
 */
export function vercelAi(options: VercelAiAdapterOptions = {}): GalileoAdapter {
  return new VercelAiAdapter(options);
}

class VercelAiAdapter implements GalileoAdapter {
  readonly name = 'vercel-ai';
  readonly #scopes: ReadonlySet<string>;
  readonly #sessionKey: string;
  readonly #userKey: string;
  /** Span ids of outer `embeddings` operation spans (their inner call span is the llm). */
  readonly #outerEmbeddings = new Set<string>();

  constructor(options: VercelAiAdapterOptions) {
    this.#scopes = new Set(options.instrumentationScopes ?? ['gen_ai', 'ai']);
    this.#sessionKey = options.sessionIdKey ?? 'sessionId';
    this.#userKey = options.userIdKey ?? 'userId';
  }

  install(host: AdapterHost): void {
    log.attach(host);
  }

  #isAiSdk(span: ReadableSpan | undefined): span is ReadableSpan {
    if (!span?.attributes) return false;
    // vercelAiTelemetry() spans are Galileo-shaped already; its agent span also carries
    // ai.operationId, which would otherwise pass for a legacy span and be renamed.
    if (span.instrumentationScope?.name === PACKAGE.name) return false;
    return (
      typeof span.attributes['ai.operationId'] === 'string' ||
      this.#scopes.has(span.instrumentationScope?.name ?? '')
    );
  }

  onStart(span: Span, parentContext: Context): AdapterStartDecision | undefined {
    if (!this.#isAiSdk(span)) return undefined;
    const attributes = span.attributes;
    const parent = readable(trace.getSpan(parentContext));
    this.#stampSession(span, attributes, parent);

    const operation = attributes[GenAiAttributes.OPERATION_NAME];
    if (operation === 'agent_step') return { drop: true };
    if (!this.#isAiSdk(parent)) return undefined;
    const parentAttributes = parent.attributes;
    if (
      operation === 'embeddings' &&
      parentAttributes[GenAiAttributes.OPERATION_NAME] === 'embeddings'
    ) {
      const outerId = parent.spanContext?.().spanId;
      if (outerId) {
        if (this.#outerEmbeddings.size >= MAX_OUTER_EMBEDDINGS) this.#outerEmbeddings.clear();
        this.#outerEmbeddings.add(outerId);
      }
      return undefined;
    }
    // Legacy spans put a tool call under the model call that asked for it; Galileo (and the
    // modern integration) show tools as siblings of the model calls, under the agent.
    const parentOperation = String(parentAttributes['ai.operationId'] ?? '');
    if (
      attributes['ai.operationId'] === 'ai.toolCall' &&
      (parentOperation.endsWith('.doGenerate') || parentOperation.endsWith('.doStream'))
    ) {
      const grandparent = parent.parentSpanContext?.spanId;
      if (grandparent) return { parentSpanId: grandparent };
    }
    return undefined;
  }

  /** Session and user ids from the runtime context, else inherited from the AI SDK parent. */
  #stampSession(span: Span, attributes: Attrs, parent: ReadableSpan | undefined): void {
    const inherited = this.#isAiSdk(parent) ? parent.attributes : undefined;
    if (attributes[GalileoAttributes.SESSION_ID] === undefined) {
      span.setAttributes(
        sessionAttributes(
          asScalarText(attributes[`ai.settings.context.${this.#sessionKey}`]) ??
            inherited?.[GalileoAttributes.SESSION_ID],
        ),
      );
    }
    if (attributes[GalileoAttributes.USER_ID] === undefined) {
      const userId =
        asScalarText(attributes[`ai.settings.context.${this.#userKey}`]) ??
        asScalarText(inherited?.[GalileoAttributes.USER_ID]);
      if (userId) span.setAttribute(GalileoAttributes.USER_ID, userId);
    }
  }

  /**
   * Completes the error shape of a failed AI SDK span while it can still change: `@ai-sdk/otel`
   * marks a model call that finished with reason `error` (and a throw that is not an `Error`)
   * ERROR without an `exception` event or `error.type`.
   */
  onEnding(span: Span): void {
    if (span.status.code !== SpanStatusCode.ERROR || !this.#isAiSdk(span)) return;
    const exception = span.events.find((event) => event.name === 'exception');
    if (!exception) {
      recordSpanError(span, failureOf(span));
    } else if (span.attributes[GenAiAttributes.ERROR_TYPE] === undefined) {
      const type = asString(exception.attributes?.['exception.type']) ?? 'Error';
      span.setAttribute(GenAiAttributes.ERROR_TYPE, type);
    }
  }

  translate(span: ReadableSpan): SpanTranslation | undefined {
    if (!this.#isAiSdk(span)) return undefined;
    const attributes = span.attributes;
    const legacyOperation = attributes['ai.operationId'];
    if (typeof legacyOperation === 'string') return translateLegacy(span, legacyOperation);
    switch (attributes[GenAiAttributes.OPERATION_NAME]) {
      case 'invoke_agent':
        return translateModernAgent(span);
      case 'chat':
        return translateModernChat(span);
      case 'execute_tool':
        return undefined;
      case 'embeddings': {
        const spanId = span.spanContext().spanId;
        if (this.#outerEmbeddings.delete(spanId)) {
          // The outer operation of embed / embedMany wraps the real calls: a workflow span, so
          // Galileo shows (and counts) each provider call once.
          const model = asScalarText(attributes[GenAiAttributes.REQUEST_MODEL]);
          return {
            name: model ? `embed ${model}` : 'embed',
            removeAttributes: [GenAiAttributes.OPERATION_NAME, ...USAGE_KEYS],
          };
        }
        return { attributes: legacyTokenNames(attributes) };
      }
      default:
        return undefined;
    }
  }
}

function translateModernAgent(span: ReadableSpan): SpanTranslation {
  const attributes = span.attributes;
  const model = asScalarText(attributes[GenAiAttributes.REQUEST_MODEL]);
  const fromName = span.name.startsWith('invoke_agent ')
    ? span.name.slice('invoke_agent '.length)
    : undefined;
  const name = asScalarText(attributes[GenAiAttributes.AGENT_NAME]) ?? model ?? fromName ?? 'agent';
  const out: Attributes = {
    [GenAiAttributes.AGENT_NAME]: name,
    ...convertedMessages(attributes, false),
  };
  // The root carries the sum of its model calls; keep it under the SDK's own names only, so
  // Galileo counts each call once (from its llm span).
  const removeAttributes: string[] = [];
  for (const key of USAGE_KEYS) {
    const value = attributes[key];
    if (value === undefined) continue;
    removeAttributes.push(key);
    out[`ai.usage.${key.slice('gen_ai.usage.'.length)}`] = value;
  }
  return { name: agentSpanName(name), attributes: out, removeAttributes };
}

function translateModernChat(span: ReadableSpan): SpanTranslation {
  const attributes = span.attributes;
  const out: Attributes = {
    ...convertedMessages(attributes, true),
    ...legacyTokenNames(attributes),
  };
  const provider = asScalarText(attributes[GenAiAttributes.PROVIDER_NAME]);
  if (provider) out[GenAiAttributes.SYSTEM] = provider;
  return { attributes: out };
}

/** Messages in the semconv `parts` shape → Galileo `{role, content}`; instructions → text. */
function convertedMessages(attributes: Attrs, withSystem: boolean): Attributes {
  const out: Attributes = {};
  const instructions = parseJson(attributes[GenAiAttributes.SYSTEM_INSTRUCTIONS]);
  const system = instructionsText(instructions);
  if (system) out[GenAiAttributes.SYSTEM_INSTRUCTIONS] = system;
  const input = parseJson(attributes[GenAiAttributes.INPUT_MESSAGES]);
  if (input !== undefined) {
    out[GenAiAttributes.INPUT_MESSAGES] = messagesJson(
      withSystem ? promptMessages(instructions, input) : toGalileoMessages(input),
    );
  }
  const output = parseJson(attributes[GenAiAttributes.OUTPUT_MESSAGES]);
  if (output !== undefined) {
    out[GenAiAttributes.OUTPUT_MESSAGES] = messagesJson(toGalileoMessages(output, 'assistant'));
  }
  return out;
}

function legacyTokenNames(attributes: Attrs): Attributes {
  return usageAttributes({
    inputTokens: asNumber(attributes[GenAiAttributes.USAGE_INPUT_TOKENS]),
    outputTokens: asNumber(attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS]),
  });
}

function translateLegacy(span: ReadableSpan, operationId: string): SpanTranslation | undefined {
  const attributes = span.attributes;
  const model =
    asScalarText(attributes['ai.model.id']) ??
    asScalarText(attributes[GenAiAttributes.REQUEST_MODEL]);
  const provider = providerName(
    attributes['ai.model.provider'] ?? attributes[GenAiAttributes.SYSTEM],
  );
  const providerAttributes: Attributes = provider
    ? { [GenAiAttributes.PROVIDER_NAME]: provider, [GenAiAttributes.SYSTEM]: provider }
    : {};
  const modelAttributes: Attributes = model ? { [GenAiAttributes.REQUEST_MODEL]: model } : {};

  if (AGENT_OPERATIONS.has(operationId)) {
    const name = asScalarText(attributes['ai.telemetry.functionId']) ?? model ?? 'agent';
    const out: Attributes = {
      [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
      [GenAiAttributes.AGENT_NAME]: name,
      ...providerAttributes,
      ...modelAttributes,
    };
    const prompt = parseJson(attributes['ai.prompt']) as Record<string, unknown> | undefined;
    if (prompt && typeof prompt === 'object') {
      const input = prompt.messages ?? prompt.prompt;
      if (input !== undefined) {
        out[GenAiAttributes.INPUT_MESSAGES] = messagesJson(toGalileoMessages(input));
      }
      const system = instructionsText(prompt.system);
      if (system) out[GenAiAttributes.SYSTEM_INSTRUCTIONS] = system;
    }
    const output = legacyOutput(attributes);
    if (output) out[GenAiAttributes.OUTPUT_MESSAGES] = messagesJson(output);
    const finishReason = asScalarText(attributes['ai.response.finishReason']);
    if (finishReason) out[GenAiAttributes.FINISH_REASONS] = [finishReason];
    return {
      name: agentSpanName(name),
      attributes: out,
      removeAttributes: USAGE_KEYS.filter((key) => attributes[key] !== undefined),
    };
  }

  if (operationId.endsWith('.doGenerate') || operationId.endsWith('.doStream')) {
    const out: Attributes = {
      [GenAiAttributes.OPERATION_NAME]: 'chat',
      ...providerAttributes,
      ...modelAttributes,
      ...usageAttributes({
        inputTokens:
          asNumber(attributes['ai.usage.inputTokens']) ??
          asNumber(attributes[GenAiAttributes.USAGE_INPUT_TOKENS]),
        outputTokens:
          asNumber(attributes['ai.usage.outputTokens']) ??
          asNumber(attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS]),
        totalTokens: asNumber(attributes['ai.usage.totalTokens']),
      }),
    };
    const messages = parseJson(attributes['ai.prompt.messages']);
    if (messages !== undefined) {
      out[GenAiAttributes.INPUT_MESSAGES] = messagesJson(toGalileoMessages(messages));
    }
    const output = legacyOutput(attributes);
    if (output) out[GenAiAttributes.OUTPUT_MESSAGES] = messagesJson(output);
    const tools = attributes['ai.prompt.tools'];
    if (Array.isArray(tools) && tools.length > 0) {
      out['gen_ai.tool.definitions'] = safeJsonStringify(tools.map((t) => parseJson(t) ?? t));
    }
    // streamText writes ai.response.msToFirstChunk; streamObject writes ai.stream.msToFirstChunk.
    const firstChunkMs =
      asNumber(attributes['ai.response.msToFirstChunk']) ??
      asNumber(attributes['ai.stream.msToFirstChunk']);
    if (firstChunkMs !== undefined) {
      out[GenAiAttributes.TIME_TO_FIRST_CHUNK] = firstChunkMs / 1000;
      out['gen_ai.request.stream'] = true;
    }
    const finishReason = asScalarText(attributes['ai.response.finishReason']);
    if (finishReason) out[GenAiAttributes.FINISH_REASONS] = [finishReason];
    return { name: llmSpanName(model), attributes: out };
  }

  if (operationId === 'ai.toolCall') {
    const name = asScalarText(attributes['ai.toolCall.name']) ?? 'tool';
    const out: Attributes = {
      [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
      [GenAiAttributes.TOOL_NAME]: name,
      [GenAiAttributes.TOOL_TYPE]: 'function',
    };
    const callId = asScalarText(attributes['ai.toolCall.id']);
    if (callId) out[GenAiAttributes.TOOL_CALL_ID] = callId;
    const args = attributes['ai.toolCall.args'];
    if (args !== undefined) out[GenAiAttributes.TOOL_CALL_ARGUMENTS] = String(args);
    const result = attributes['ai.toolCall.result'];
    if (result !== undefined) out[GenAiAttributes.TOOL_CALL_RESULT] = String(result);
    return { name: toolSpanName(name), attributes: out };
  }

  if (EMBED_CALL_OPERATIONS.has(operationId)) {
    const out: Attributes = {
      [GenAiAttributes.OPERATION_NAME]: 'embeddings',
      ...providerAttributes,
      ...modelAttributes,
      ...usageAttributes({ inputTokens: asNumber(attributes['ai.usage.tokens']), outputTokens: 0 }),
    };
    const values = attributes['ai.values'];
    if (Array.isArray(values)) {
      out[GenAiAttributes.INPUT_MESSAGES] = messagesJson(
        values.map((value) => ({ role: 'user', content: String(parseJson(value) ?? value) })),
      );
    }
    return { name: llmSpanName(model, 'embeddings'), attributes: out };
  }
  return undefined;
}

/** The legacy response as one assistant message (text, object, and tool calls). */
function legacyOutput(attributes: Attrs): GalileoMessage[] | undefined {
  const object = attributes['ai.response.object'];
  if (typeof object === 'string') return [{ role: 'assistant', content: object }];
  const text = attributes['ai.response.text'];
  const toolCalls = parseJson(attributes['ai.response.toolCalls']);
  if (text === undefined && toolCalls === undefined) return undefined;
  const content: unknown[] = [];
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls) content.push({ type: 'tool-call', ...(call as object) });
  }
  return toGalileoMessages([{ role: 'assistant', content }]);
}

type ApiSpan = NonNullable<ReturnType<typeof trace.getSpan>>;

/** The API span of a context as the SDK span it is, when it is one (a remote parent is not). */
function readable(span: ApiSpan | undefined): (ApiSpan & ReadableSpan) | undefined {
  return span && isReadable(span) ? span : undefined;
}

function isReadable(span: ApiSpan): span is ApiSpan & ReadableSpan {
  return 'attributes' in span && isRecord(span.attributes) && 'instrumentationScope' in span;
}

/**
 * The error a span was marked with, rebuilt from what it carries: its status message, and the
 * type `FinishReasonError` when the model call finished with reason `error`.
 */
function failureOf(span: ReadableSpan): Error {
  const finishReasons = span.attributes[GenAiAttributes.FINISH_REASONS];
  const finishedWithError =
    (Array.isArray(finishReasons) && finishReasons.includes('error')) ||
    span.attributes['ai.response.finishReason'] === 'error';
  const error = new Error(
    asString(span.status.message) ??
      (finishedWithError ? 'The model call finished with reason "error".' : 'The call failed.'),
  );
  error.name = finishedWithError ? 'FinishReasonError' : 'Error';
  return error;
}
