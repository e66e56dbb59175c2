import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api';
import { safeJsonStringify, toAttributeText } from '../internal/safe-json.js';
import { GenAiAttributes as A } from './attribute-names.js';

/**
 * A tool call the model asked for, as it appears on an assistant message (the OpenAI chat
 * shape Galileo reads): `arguments` is JSON text.
 */
export interface GalileoToolCall {
  /** The call id that the tool message answering it repeats as `tool_call_id`. */
  id: string;
  /** Always `function`. */
  type: 'function';
  /** The tool and its arguments. */
  function: { name: string; arguments: string };
}

/**
 * A chat message in the one shape every adapter emits: `{role, content}`, plus `tool_calls` on
 * an assistant message that asked for tools and `tool_call_id` on the tool message that answers
 * one.
 */
export interface GalileoMessage {
  /** `system`, `user`, `assistant`, `tool`, ... */
  role: string;
  /** Text, or structured content (serialised to JSON text). */
  content: unknown;
  /** Tools the model asked for (assistant messages). */
  tool_calls?: readonly GalileoToolCall[] | undefined;
  /** The call this message answers (tool messages). */
  tool_call_id?: string | undefined;
}

/**
 * A tool call in the canonical shape, from the parts a framework gives: `arguments` is always
 * JSON text (objects are serialised, `{}` when there are none, and free-form text that is not
 * JSON becomes a JSON string); a missing id is left empty.
 */
export function toolCall(call: {
  id?: string | undefined;
  name: string;
  arguments?: unknown;
}): GalileoToolCall {
  const args = call.arguments;
  return {
    id: call.id ?? '',
    type: 'function',
    function: {
      name: call.name,
      arguments:
        typeof args === 'string'
          ? jsonText(args)
          : args === undefined
            ? '{}'
            : safeJsonStringify(args),
    },
  };
}

/**
 * One turn of a conversation that a framework gives as parts, in the canonical shape: the role's
 * message (its texts joined, with `tool_calls` when it asked for tools), then one `tool` message
 * per tool result. A turn that holds nothing but tool results gives only those.
 */
export function turnMessages<M extends GalileoMessage>(turn: {
  role: string;
  texts: readonly string[];
  toolCalls: readonly GalileoToolCall[];
  toolResults: readonly M[];
}): (M | (GalileoMessage & { content: string }))[] {
  const { role, texts, toolCalls, toolResults } = turn;
  if (texts.length === 0 && toolCalls.length === 0 && toolResults.length > 0)
    return [...toolResults];
  const message: GalileoMessage & { content: string } = { role, content: texts.join('') };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return [message, ...toolResults];
}

/** Token counts of a model call. */
export interface TokenUsage {
  /** Prompt / input tokens. */
  inputTokens?: number | undefined;
  /** Completion / output tokens. */
  outputTokens?: number | undefined;
  /** Total; defaults to input + output. */
  totalTokens?: number | undefined;
}

/**
 * Serialises messages as the JSON array Galileo shows as input or output: `{role, content}`
 * with content as text, keeping `tool_calls` (normalised by {@link toolCall}) and
 * `tool_call_id`. A plain string becomes one message with `defaultRole`.
 */
export function messagesJson(messages: unknown, defaultRole = 'user'): string {
  const list = Array.isArray(messages) ? messages : [{ role: defaultRole, content: messages }];
  return safeJsonStringify(list.map((message) => canonicalMessage(message, defaultRole)));
}

// Text that already is JSON stays as it is; anything else becomes a JSON string.
function jsonText(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

function canonicalMessage(message: unknown, defaultRole: string): GalileoMessage {
  if (!message || typeof message !== 'object' || !('role' in message)) {
    return { role: defaultRole, content: contentText(message) };
  }
  const { role, content, tool_calls, tool_call_id } = message as {
    role: unknown;
    content?: unknown;
    tool_calls?: unknown;
    tool_call_id?: unknown;
  };
  const out: GalileoMessage = { role: String(role), content: contentText(content) };
  if (Array.isArray(tool_calls) && tool_calls.length > 0) {
    out.tool_calls = tool_calls.map((call: unknown) => {
      const c = (call ?? {}) as {
        id?: unknown;
        function?: { name?: unknown; arguments?: unknown };
      };
      return toolCall({
        id: typeof c.id === 'string' ? c.id : undefined,
        name: String(c.function?.name ?? ''),
        arguments: c.function?.arguments,
      });
    });
  }
  if (typeof tool_call_id === 'string' && tool_call_id) out.tool_call_id = tool_call_id;
  return out;
}

function contentText(content: unknown): string {
  if (content === undefined || content === null) return '';
  return toAttributeText(content);
}

/** Token usage under both the current semconv names and the legacy names Galileo's docs show. */
export function usageAttributes(usage: TokenUsage | undefined): Attributes {
  if (!usage) return {};
  const out: Attributes = {};
  const { inputTokens, outputTokens } = usage;
  if (isCount(inputTokens)) {
    out[A.USAGE_INPUT_TOKENS] = inputTokens;
    out[A.USAGE_PROMPT_TOKENS] = inputTokens;
  }
  if (isCount(outputTokens)) {
    out[A.USAGE_OUTPUT_TOKENS] = outputTokens;
    out[A.USAGE_COMPLETION_TOKENS] = outputTokens;
  }
  // A count that is missing or not a number (NaN from a provider's partial usage) is left out
  // of the total on its own, instead of turning the whole total into NaN.
  const total = isCount(usage.totalTokens)
    ? usage.totalTokens
    : isCount(inputTokens) || isCount(outputTokens)
      ? (isCount(inputTokens) ? inputTokens : 0) + (isCount(outputTokens) ? outputTokens : 0)
      : undefined;
  if (total !== undefined) out[A.USAGE_TOTAL_TOKENS] = total;
  return out;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function set(out: Attributes, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  out[key] =
    typeof value === 'number' || typeof value === 'boolean' ? value : toAttributeText(value);
}

/** Span name for an agent span: `invoke_agent <name>`. */
export function agentSpanName(name: string): string {
  return `invoke_agent ${name}`;
}
/** Span name for an llm span: `chat <model>` (or `embeddings <model>`, ...). */
export function llmSpanName(model: string | undefined, operation = 'chat'): string {
  return model ? `${operation} ${model}` : operation;
}
/** Span name for a tool span: `execute_tool <name>`. */
export function toolSpanName(name: string): string {
  return `execute_tool ${name}`;
}

/** Attributes of an agent span (Galileo type `agent`). */
export function agentAttributes(agent: {
  name: string;
  id?: string | undefined;
  description?: string | undefined;
  provider?: string | undefined;
  conversationId?: string | undefined;
  input?: unknown;
  output?: unknown;
}): Attributes {
  const out: Attributes = { [A.OPERATION_NAME]: 'invoke_agent', [A.AGENT_NAME]: agent.name };
  set(out, A.AGENT_ID, agent.id);
  set(out, A.AGENT_DESCRIPTION, agent.description);
  set(out, A.PROVIDER_NAME, agent.provider);
  set(out, A.CONVERSATION_ID, agent.conversationId);
  Object.assign(out, ioAttributes(agent.input, agent.output));
  return out;
}

/** Input / output messages of any span (`user` in, `assistant` out for plain values). */
export function ioAttributes(input: unknown, output: unknown): Attributes {
  const out: Attributes = {};
  if (input !== undefined && input !== null) out[A.INPUT_MESSAGES] = messagesJson(input, 'user');
  if (output !== undefined && output !== null) {
    out[A.OUTPUT_MESSAGES] = messagesJson(output, 'assistant');
  }
  return out;
}

/** Attributes of an llm span (Galileo type `llm`). */
export function llmAttributes(llm: {
  model?: string | undefined;
  provider?: string | undefined;
  responseModel?: string | undefined;
  responseId?: string | undefined;
  operation?: 'chat' | 'text_completion' | 'embeddings' | undefined;
  systemInstructions?: unknown;
  inputMessages?: unknown;
  outputMessages?: unknown;
  finishReasons?: readonly string[] | undefined;
  usage?: TokenUsage | undefined;
}): Attributes {
  const out: Attributes = { [A.OPERATION_NAME]: llm.operation ?? 'chat' };
  set(out, A.REQUEST_MODEL, llm.model);
  set(out, A.RESPONSE_MODEL, llm.responseModel);
  set(out, A.RESPONSE_ID, llm.responseId);
  if (llm.provider) {
    out[A.PROVIDER_NAME] = llm.provider;
    out[A.SYSTEM] = llm.provider;
  }
  set(out, A.SYSTEM_INSTRUCTIONS, llm.systemInstructions);
  Object.assign(out, ioAttributes(llm.inputMessages, llm.outputMessages));
  if (llm.finishReasons && llm.finishReasons.length > 0) {
    out[A.FINISH_REASONS] = [...llm.finishReasons];
  }
  Object.assign(out, usageAttributes(llm.usage));
  return out;
}

/** Attributes of a tool span (Galileo type `tool`); arguments and result as JSON text. */
export function toolAttributes(tool: {
  name: string;
  callId?: string | undefined;
  type?: string | undefined;
  description?: string | undefined;
  arguments?: unknown;
  result?: unknown;
}): Attributes {
  const out: Attributes = { [A.OPERATION_NAME]: 'execute_tool', [A.TOOL_NAME]: tool.name };
  set(out, A.TOOL_CALL_ID, tool.callId);
  set(out, A.TOOL_TYPE, tool.type ?? 'function');
  set(out, A.TOOL_DESCRIPTION, tool.description);
  set(out, A.TOOL_CALL_ARGUMENTS, tool.arguments);
  set(out, A.TOOL_CALL_RESULT, tool.result);
  return out;
}

/** Attributes of a retriever span (Galileo type `retriever`). */
export function retrieverAttributes(retriever: {
  query?: unknown;
  documents?: readonly unknown[] | undefined;
}): Attributes {
  const out: Attributes = { 'db.operation': 'search' };
  if (retriever.query !== undefined) out[A.INPUT_MESSAGES] = messagesJson(retriever.query, 'user');
  if (retriever.documents) {
    out[A.OUTPUT_MESSAGES] = safeJsonStringify([
      { role: 'assistant', content: { documents: retriever.documents } },
    ]);
  }
  return out;
}

/** Attributes of a workflow span (Galileo type `workflow`): input and output only. */
export function workflowAttributes(workflow: { input?: unknown; output?: unknown }): Attributes {
  return ioAttributes(workflow.input, workflow.output);
}

/** The `error.type` of an error: its name or constructor, else `Error`. */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const name = (error as { name?: unknown }).name;
    const ctor = (error as { constructor?: { name?: string } }).constructor?.name;
    // A subclass that keeps `name = 'Error'` (many SDK errors do) is better known by its class.
    if (typeof name === 'string' && name && name !== 'Error') return name;
    if (ctor && ctor !== 'Object') return ctor;
    if (typeof name === 'string' && name) return name;
  }
  return 'Error';
}

/**
 * Marks a span as failed the way Galileo shows errors: status ERROR with the message,
 * `error.type`, and an `exception` event. Never throws.
 */
export function recordSpanError(span: Span, error: unknown, type?: string): void {
  try {
    const message =
      error instanceof Error
        ? error.message
        : typeof error === 'string'
          ? error
          : safeJsonStringify(error);
    const kind = type ?? errorType(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute(A.ERROR_TYPE, kind);
    // `exception.type` says the same as `error.type`, so one error never reads as two kinds.
    span.recordException({
      name: kind,
      message,
      stack: error instanceof Error ? error.stack : undefined,
    });
  } catch {
    // A span that refuses attributes (already ended, non-recording) is not our program's problem.
  }
}
