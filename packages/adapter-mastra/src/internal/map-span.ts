import {
  GenAiAttributes as A,
  agentAttributes,
  agentSpanName,
  asNumber,
  asString,
  type GalileoMessage,
  llmAttributes,
  llmSpanName,
  safeJsonStringify,
  type TokenUsage,
  toolAttributes,
  toolSpanName,
  workflowAttributes,
} from '@galileo-otel/core/adapter';
import type { Attributes } from '@opentelemetry/api';
import { assistantTurn, type Conversation } from './conversation.js';
import type { MastraSpanData, SpanRole } from './mastra-span.js';
import { galileoMessages, generationMessages } from './messages.js';

/** Why a Mastra span failed, as the OTel span records it. */
export interface SpanError {
  message: string;
  /** The error's class (`error.type`). */
  type: string;
  stack?: string | undefined;
}

/** A Mastra span translated into what the OTel span gets when it ends. */
export interface MappedSpan {
  name: string;
  attributes: Attributes;
  error: SpanError | undefined;
  /**
   * A model call that failed without saying why: Mastra records the error only on the agent
   * (or generation) around it, so the exporter takes the cause from there.
   */
  awaitsCause: boolean;
}

/** Extra facts a mapping needs from other spans of the same run. */
export interface MappingContext {
  /** What the model loop around an llm span has been told so far. */
  conversation?: Conversation | undefined;
  /** Input of the enclosing `model_step`: the fallback when the loop's start is not known. */
  stepInput?: unknown;
}

/** The OTel name a span gets at start, before its data is known. */
export function startName(
  span: Pick<MastraSpanData, 'type' | 'name' | 'entityName' | 'entityId' | 'attributes'>,
  role: SpanRole,
): string {
  switch (role) {
    case 'agent':
      return agentSpanName(span.entityName ?? span.entityId ?? span.name);
    case 'tool':
      return toolSpanName(span.entityName ?? span.entityId ?? span.name);
    case 'llm':
      return llmSpanName(asString(span.attributes?.model));
    default:
      return span.name;
  }
}

/** Galileo name and attributes of a finished Mastra span. */
export function mapSpan(
  span: MastraSpanData,
  role: SpanRole,
  ctx: MappingContext = {},
): MappedSpan {
  const attrs = span.attributes ?? {};
  let attributes: Attributes;
  switch (role) {
    case 'agent':
      attributes = agentAttributes({
        name: span.entityName ?? span.entityId ?? span.name,
        id: span.entityId,
        conversationId: asString(attrs.conversationId) ?? asString(span.metadata?.threadId),
        input: present(galileoMessages(span.input, 'user')),
        output: present(galileoMessages(outputValue(span.output), 'assistant')),
      });
      setText(attributes, A.SYSTEM_INSTRUCTIONS, attrs.instructions);
      break;
    case 'llm':
      attributes = llmAttributes({
        model: asString(attrs.model),
        provider: asString(attrs.provider),
        responseModel: asString(attrs.responseModel),
        responseId: asString(attrs.responseId),
        ...llmMessages(span, ctx),
        finishReasons: asString(attrs.finishReason) ? [String(attrs.finishReason)] : undefined,
        usage: usageOf(attrs.usage),
      });
      timeToFirstChunk(attributes, span.startTime, attrs.completionStartTime);
      if (Array.isArray(attrs.availableTools)) {
        setText(attributes, 'mastra.model.available_tools', attrs.availableTools);
      }
      break;
    case 'tool':
      attributes = toolAttributes({
        name: span.entityName ?? span.entityId ?? span.name,
        callId: asString(attrs.toolCallId),
        type: span.type === 'mcp_tool_call' ? 'extension' : 'function',
        description: asString(attrs.toolDescription),
        arguments: span.input,
        result: span.output,
      });
      setText(attributes, 'mastra.mcp.server', attrs.mcpServer);
      break;
    default:
      attributes = workflowAttributes({ input: span.input, output: outputValue(span.output) });
  }
  attributes['mastra.span.type'] = span.type;
  if (role === 'workflow' && span.type !== 'workflow_run' && span.type !== 'workflow_step') {
    // Not a workflow in Mastra's sense (processor, memory, rag, generic, ...): keep its name.
    attributes['mastra.span.name'] = span.name;
  }
  setText(attributes, 'mastra.entity.type', span.entityType);
  setText(attributes, 'mastra.entity.id', span.entityId);
  setText(attributes, 'mastra.entity.name', span.entityName);
  if (span.tags && span.tags.length > 0) attributes['mastra.tags'] = span.tags.map(String);
  for (const [key, value] of Object.entries(span.metadata ?? {})) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      attributes[`mastra.metadata.${key}`] = value;
    } else {
      attributes[`mastra.metadata.${key}`] = safeJsonStringify(value);
    }
  }
  const userId = asString(span.metadata?.userId);
  if (userId) attributes['user.id'] = userId;

  const error = errorOf(span);
  return {
    name: startName(span, role),
    attributes,
    error,
    // A failed provider call ends its inference with finish reason `error` and no errorInfo.
    awaitsCause: !error && role === 'llm' && span.attributes?.finishReason === 'error',
  };
}

/** Stands in for the cause of a failed model call when no span around it reported one. */
export const UNKNOWN_MODEL_ERROR: SpanError = {
  message: 'model call failed',
  type: 'ModelCallError',
};

/** The error a Mastra span ended with (`errorInfo`, or a tool's `success: false`). */
export function errorOf(
  span: Pick<MastraSpanData, 'errorInfo' | 'attributes'>,
): SpanError | undefined {
  const info = span.errorInfo;
  if (info) {
    const stack = asString(info.stack);
    return {
      message: asString(info.message) ?? 'error',
      type: errorClass(asString(info.name), stack) ?? asString(info.id) ?? 'Error',
      stack,
    };
  }
  if (span.attributes?.success === false) return { message: 'tool call failed', type: 'Error' };
  return undefined;
}

/**
 * The class of the error: its name, unless that is the generic `Error` Mastra gives the
 * `MastraError` it wraps a step's throw in; the stack it copies still starts with the class the
 * app threw (`LedgerClosedError: ...`).
 */
function errorClass(name: string | undefined, stack: string | undefined): string | undefined {
  if (name && name !== 'Error') return name;
  return /^([A-Za-z_$][\w$]*):/.exec(stack ?? '')?.[1] ?? name;
}

/**
 * The llm span's messages. A `model_inference` gets the loop's history as it was when the call
 * was made and its own answer; a `model_generation` (the whole loop as one llm span) gets the
 * loop's start and everything the loop added.
 */
function llmMessages(
  span: MastraSpanData,
  ctx: MappingContext,
): { inputMessages: unknown; outputMessages: unknown } {
  const own = assistantTurn(span.output);
  if (span.type === 'model_generation') {
    const replies = ctx.conversation?.replies() ?? [];
    return {
      inputMessages: present(ctx.conversation?.start ?? generationMessages(span.input)),
      outputMessages: replies.length > 0 ? replies : own && [own],
    };
  }
  return {
    inputMessages: present(ctx.conversation?.history() ?? galileoMessages(ctx.stepInput, 'user')),
    outputMessages: own && [own],
  };
}

function present(messages: readonly GalileoMessage[]): readonly GalileoMessage[] | undefined {
  return messages.length > 0 ? messages : undefined;
}

/** `{ text, files, ... }` results become their text; anything else is kept as is. */
function outputValue(output: unknown): unknown {
  if (output && typeof output === 'object' && !Array.isArray(output)) {
    const text = (output as { text?: unknown }).text;
    if (typeof text === 'string' && text !== '') return text;
    if ('object' in output && (output as { object?: unknown }).object !== undefined) {
      return (output as { object: unknown }).object;
    }
  }
  return output;
}

function usageOf(usage: unknown): TokenUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const u = usage as { inputTokens?: unknown; outputTokens?: unknown; totalTokens?: unknown };
  return {
    inputTokens: asNumber(u.inputTokens),
    outputTokens: asNumber(u.outputTokens),
    totalTokens: asNumber(u.totalTokens),
  };
}

function timeToFirstChunk(out: Attributes, start: Date | undefined, first: unknown): void {
  const firstAt =
    first instanceof Date ? first : typeof first === 'string' ? new Date(first) : undefined;
  if (!start || !firstAt) return;
  const seconds = (firstAt.getTime() - new Date(start).getTime()) / 1000;
  if (Number.isFinite(seconds) && seconds >= 0) out[A.TIME_TO_FIRST_CHUNK] = seconds;
}

function setText(out: Attributes, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  out[key] = typeof value === 'string' ? value : safeJsonStringify(value);
}
