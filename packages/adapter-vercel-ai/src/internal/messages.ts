import { safeJsonStringify } from '@galileo-otel/core';

/** One tool call on an assistant message, in the OpenAI-style shape Galileo renders. */
export interface GalileoToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A chat message as Galileo reads it: `{role, content}`, plus tool calls / tool call id. */
export interface GalileoChatMessage {
  role: string;
  content: string;
  tool_calls?: GalileoToolCall[];
  tool_call_id?: string;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : safeJsonStringify(value);
}

/** A tool result's payload: AI SDK wraps it as `{type: 'json' | 'text' | ..., value}`. */
function unwrapToolOutput(output: unknown): unknown {
  if (isObject(output) && typeof output.type === 'string' && 'value' in output) {
    return output.value;
  }
  return output;
}

/**
 * Converts AI SDK messages into Galileo messages. Understands both the AI SDK `ModelMessage`
 * shape (`content` string or parts `text` / `tool-call` / `tool-result` / `file`...) and the
 * OpenTelemetry GenAI semconv shape `@ai-sdk/otel` writes (`parts` with `text` / `tool_call` /
 * `tool_call_response` / `blob`...). Anything unknown is kept as JSON text, never dropped.
 */
export function toGalileoMessages(messages: unknown, defaultRole = 'user'): GalileoChatMessage[] {
  if (messages === undefined || messages === null) return [];
  const list = Array.isArray(messages) ? messages : [messages];
  const out: GalileoChatMessage[] = [];
  for (const message of list) {
    if (!isObject(message) || typeof message.role !== 'string') {
      out.push({ role: defaultRole, content: text(message) });
      continue;
    }
    const role = message.role;
    const parts = Array.isArray(message.parts)
      ? message.parts
      : Array.isArray(message.content)
        ? message.content
        : undefined;
    if (!parts) {
      out.push({ role, content: text(message.content) });
      continue;
    }
    const texts: string[] = [];
    const toolCalls: GalileoToolCall[] = [];
    const toolResults: GalileoChatMessage[] = [];
    for (const part of parts) {
      if (!isObject(part)) {
        texts.push(text(part));
        continue;
      }
      switch (part.type) {
        case 'text':
          texts.push(text(part.text ?? part.content));
          break;
        case 'reasoning':
          // Reasoning is not part of what the model said; Galileo shows input and output only.
          break;
        case 'tool-call':
        case 'tool_call':
          toolCalls.push({
            id: text(part.toolCallId ?? part.id),
            type: 'function',
            function: {
              name: text(part.toolName ?? part.name),
              arguments: text(part.input ?? part.arguments ?? part.args ?? {}),
            },
          });
          break;
        case 'tool-result':
        case 'tool_call_response':
          toolResults.push({
            role: 'tool',
            content: text(unwrapToolOutput(part.output ?? part.response ?? part.result)),
            tool_call_id: text(part.toolCallId ?? part.id),
          });
          break;
        case 'file':
        case 'image':
        case 'blob':
        case 'uri':
          texts.push(`[${text(part.mediaType ?? part.mime_type ?? part.modality ?? part.type)}]`);
          break;
        default:
          texts.push(text(part));
      }
    }
    if (texts.length > 0 || toolCalls.length > 0 || toolResults.length === 0) {
      const converted: GalileoChatMessage = { role, content: texts.join('') };
      if (toolCalls.length > 0) converted.tool_calls = toolCalls;
      out.push(converted);
    }
    out.push(...toolResults);
  }
  return out;
}

/** System instructions (string, system message(s), or semconv parts) as one text. */
export function instructionsText(instructions: unknown): string | undefined {
  if (instructions === undefined || instructions === null || instructions === '') return undefined;
  if (typeof instructions === 'string') return instructions;
  const list = Array.isArray(instructions) ? instructions : [instructions];
  const texts = list.map((item) => (isObject(item) ? text(item.content ?? item.text) : text(item)));
  const joined = texts.filter((t) => t !== '').join('\n');
  return joined === '' ? undefined : joined;
}

/** The model's input: system instructions first (when given), then the conversation. */
export function promptMessages(instructions: unknown, messages: unknown): GalileoChatMessage[] {
  const system = instructionsText(instructions);
  const converted = toGalileoMessages(messages);
  if (system === undefined || converted[0]?.role === 'system') return converted;
  return [{ role: 'system', content: system }, ...converted];
}

/** JSON text of Galileo messages. */
export function messagesText(messages: readonly GalileoChatMessage[]): string {
  return safeJsonStringify(messages);
}

/** Parses JSON text, or returns `undefined`. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
