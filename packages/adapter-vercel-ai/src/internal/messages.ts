import {
  asScalarText,
  asString,
  type GalileoMessage,
  type GalileoToolCall,
  isRecord,
  safeJsonStringify,
  toolCall,
  turnMessages,
} from '@galileo-otel/core/adapter';

/** A tool result's payload: AI SDK wraps it as `{type: 'json' | 'text' | ..., value}`. */
function unwrapToolOutput(output: unknown): unknown {
  if (isRecord(output) && typeof output.type === 'string' && 'value' in output) {
    return output.value;
  }
  return output;
}

/**
 * Converts AI SDK messages into Galileo messages. Understands both the AI SDK `ModelMessage`
 * shape (`content` string or parts `text` / `tool-call` / `tool-result` / `tool-error` /
 * `file`...) and the OpenTelemetry GenAI semconv shape `@ai-sdk/otel` writes (`parts` with
 * `text` / `tool_call` / `tool_call_response` / `blob`...). A tool call becomes a `tool_calls`
 * entry of the assistant message, a tool result a `tool` message with its `tool_call_id`.
 * Anything unknown is kept (as JSON text once serialised by `messagesJson`), never dropped.
 */
export function toGalileoMessages(messages: unknown, defaultRole = 'user'): GalileoMessage[] {
  if (messages === undefined || messages === null) return [];
  const list: unknown[] = Array.isArray(messages) ? messages : [messages];
  const out: GalileoMessage[] = [];
  for (const message of list) {
    if (!isRecord(message) || typeof message.role !== 'string') {
      out.push({ role: defaultRole, content: message });
      continue;
    }
    const role = message.role;
    const parts: unknown = Array.isArray(message.parts) ? message.parts : message.content;
    if (!Array.isArray(parts)) {
      out.push({ role, content: parts });
      continue;
    }
    const texts: string[] = [];
    const toolCalls: GalileoToolCall[] = [];
    const toolResults: GalileoMessage[] = [];
    for (const part of parts) {
      if (!isRecord(part)) {
        texts.push(asString(part) ?? safeJsonStringify(part));
        continue;
      }
      switch (part.type) {
        case 'text':
          texts.push(asString(part.text ?? part.content) ?? '');
          break;
        case 'reasoning':
          // Reasoning is not part of what the model said; Galileo shows input and output only.
          break;
        case 'tool-call':
        case 'tool_call':
          toolCalls.push(
            toolCall({
              id: asScalarText(part.toolCallId ?? part.id),
              name: asString(part.toolName ?? part.name) ?? 'tool',
              arguments: part.input ?? part.arguments ?? part.args,
            }),
          );
          break;
        case 'tool-result':
        case 'tool-error':
        case 'tool_call_response':
          toolResults.push({
            role: 'tool',
            content: unwrapToolOutput(part.output ?? part.response ?? part.result ?? part.error),
            tool_call_id: asScalarText(part.toolCallId ?? part.id),
          });
          break;
        case 'file':
        case 'image':
        case 'blob':
        case 'uri':
          texts.push(
            `[${asString(part.mediaType ?? part.mime_type ?? part.modality) ?? part.type}]`,
          );
          break;
        default:
          texts.push(safeJsonStringify(part));
      }
    }
    out.push(...turnMessages({ role, texts, toolCalls, toolResults }));
  }
  return out;
}

/** System instructions (string, system message(s), or semconv parts) as one text. */
export function instructionsText(instructions: unknown): string | undefined {
  if (instructions === undefined || instructions === null || instructions === '') return undefined;
  if (typeof instructions === 'string') return instructions;
  const list: unknown[] = Array.isArray(instructions) ? instructions : [instructions];
  const texts = list.map((item) => asString(isRecord(item) ? (item.content ?? item.text) : item));
  const joined = texts.filter((t) => t !== undefined).join('\n');
  return joined === '' ? undefined : joined;
}

/** The model's input: system instructions first (when given), then the conversation. */
export function promptMessages(instructions: unknown, messages: unknown): GalileoMessage[] {
  const system = instructionsText(instructions);
  const converted = toGalileoMessages(messages);
  if (system === undefined || converted[0]?.role === 'system') return converted;
  return [{ role: 'system', content: system }, ...converted];
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
