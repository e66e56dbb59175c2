import {
  GenAiAttributes as A,
  agentAttributes,
  agentSpanName,
  llmAttributes,
  llmSpanName,
  safeJsonStringify,
  type TokenUsage,
  toolAttributes,
  toolSpanName,
  workflowAttributes,
} from '@galileo-otel/core';
import type { Attributes } from '@opentelemetry/api';
import type { MastraSpanData, SpanRole } from './mastra-span.js';

/** A Mastra span translated into what the OTel span gets when it ends. */
export interface MappedSpan {
  name: string;
  attributes: Attributes;
  error: { message: string; type: string } | undefined;
}

/** Extra facts a mapping needs from other spans of the same run. */
export interface MappingContext {
  /** Input messages of the enclosing `model_step` (a `model_inference` has none of its own). */
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
      return llmSpanName(str(span.attributes?.model));
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
        conversationId: str(attrs.conversationId) ?? str(span.metadata?.threadId),
        input: span.input,
        output: outputValue(span.output),
      });
      setText(attributes, A.SYSTEM_INSTRUCTIONS, attrs.instructions);
      break;
    case 'llm':
      attributes = llmAttributes({
        model: str(attrs.model),
        provider: str(attrs.provider),
        responseModel: str(attrs.responseModel),
        responseId: str(attrs.responseId),
        inputMessages: span.type === 'model_generation' ? messagesOf(span.input) : ctx.stepInput,
        outputMessages: llmOutput(span.output),
        finishReasons: str(attrs.finishReason) ? [String(attrs.finishReason)] : undefined,
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
        callId: str(attrs.toolCallId),
        type: span.type === 'mcp_tool_call' ? 'extension' : 'function',
        description: str(attrs.toolDescription),
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
  const userId = str(span.metadata?.userId);
  if (userId) attributes['user.id'] = userId;

  return {
    name: startName(span, role),
    attributes,
    error: errorOf(span, role),
  };
}

function errorOf(span: MastraSpanData, role: SpanRole): MappedSpan['error'] {
  const info = span.errorInfo;
  if (info) {
    return {
      message: str(info.message) ?? 'error',
      type: str(info.name) ?? str(info.id) ?? 'Error',
    };
  }
  if (span.attributes?.success === false) return { message: 'tool call failed', type: 'Error' };
  // A failed provider call ends its inference with finish reason `error` and no errorInfo
  // (Mastra records the error itself on the generation and the agent).
  if (role === 'llm' && span.attributes?.finishReason === 'error') {
    return { message: 'model call failed', type: 'ModelCallError' };
  }
  return undefined;
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

/** Output of a model call as one assistant message: its text, or the tool calls it made. */
function llmOutput(output: unknown): unknown {
  if (output === undefined || output === null) return undefined;
  if (typeof output !== 'object') return [{ role: 'assistant', content: output }];
  const { text, toolCalls } = output as { text?: unknown; toolCalls?: unknown };
  if (typeof text === 'string' && text !== '') return [{ role: 'assistant', content: text }];
  if (Array.isArray(toolCalls) && toolCalls.length > 0) {
    return [{ role: 'assistant', content: toolCalls }];
  }
  if (text === '' && Array.isArray(toolCalls)) return undefined;
  return [{ role: 'assistant', content: output }];
}

function messagesOf(input: unknown): unknown {
  if (input && typeof input === 'object' && 'messages' in input) {
    return (input as { messages: unknown }).messages;
  }
  return input;
}

function usageOf(usage: unknown): TokenUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const u = usage as { inputTokens?: unknown; outputTokens?: unknown; totalTokens?: unknown };
  return {
    inputTokens: num(u.inputTokens),
    outputTokens: num(u.outputTokens),
    totalTokens: num(u.totalTokens),
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

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
