// TODO(kit): Mastra hands its model the AI SDK's `ModelMessage`s, the same shape the Vercel AI
// adapter converts in its own `internal/messages.ts`. One `modelMessages()` in
// `@galileo-otel/core/adapter` should serve both; until then this is Mastra's copy, kept small.
import {
  asString,
  type GalileoMessage,
  type GalileoToolCall,
  isRecord,
  safeJsonStringify,
  toolCall,
} from '@galileo-otel/core/adapter';

/**
 * Messages as Mastra records them (a prompt string, or AI SDK `ModelMessage`s whose `content`
 * is text or parts), in the one Galileo shape: `text` parts joined into `content`, `tool-call`
 * parts as `tool_calls` with their real ids, each `tool-result` part as its own `tool` message
 * answering its call. Reasoning is left out; any other part (a file, an image, a UI message's
 * tool part) becomes a `[type]` marker, so no part is ever JSON inside `content`.
 */
export function galileoMessages(value: unknown, defaultRole: string): GalileoMessage[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((message) =>
    isRecord(message) && typeof message.role === 'string'
      ? fromMessage(message.role, message.content ?? message.parts)
      : [{ role: defaultRole, content: message }],
  );
}

/** The messages a model loop starts from: a `model_generation`'s input is `{ messages }`. */
export function generationMessages(input: unknown): GalileoMessage[] {
  return galileoMessages(isRecord(input) && 'messages' in input ? input.messages : input, 'user');
}

function fromMessage(role: string, content: unknown): GalileoMessage[] {
  // UI and Mastra's stored messages keep their parts in `parts` (or `content.parts`).
  const parts = isRecord(content) && Array.isArray(content.parts) ? content.parts : content;
  if (!Array.isArray(parts)) return [{ role, content }];
  let text = '';
  const calls: GalileoToolCall[] = [];
  const answers: GalileoMessage[] = [];
  for (const part of parts) {
    const type = isRecord(part) ? part.type : undefined;
    if (!isRecord(part)) text += typeof part === 'string' ? part : '';
    else if (type === 'text') text += asString(part.text) ?? '';
    else if (type === 'tool-call') {
      calls.push(
        toolCall({
          id: asString(part.toolCallId),
          name: asString(part.toolName) ?? '',
          arguments: part.input ?? part.args,
        }),
      );
    } else if (type === 'tool-result') {
      answers.push({
        role: 'tool',
        content: toolOutputText(part.output ?? part.result),
        tool_call_id: asString(part.toolCallId),
      });
    } else if (type !== 'reasoning') text += `[${asString(type) ?? 'part'}]`;
  }
  const own: GalileoMessage[] =
    text !== '' || calls.length > 0 || answers.length === 0
      ? [{ role, content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) }]
      : [];
  return [...own, ...answers];
}

/**
 * A tool's result as the model saw it: the AI SDK wraps it as `{type: 'text' | 'json' |
 * 'error-text' | ..., value}`; text stays text, anything else becomes JSON.
 */
export function toolOutputText(output: unknown): string {
  const value =
    isRecord(output) && typeof output.type === 'string' && 'value' in output
      ? output.value
      : output;
  return typeof value === 'string' ? value : safeJsonStringify(value ?? null);
}
