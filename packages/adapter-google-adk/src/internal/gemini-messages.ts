import { safeJsonStringify } from '@galileo-otel/core';

/** One tool call on an assistant message, in the OpenAI-style shape Galileo renders. */
export interface ToolCallMessagePart {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A chat message as Galileo reads it: `{role, content}`, plus tool calls / tool call id. */
export interface ChatMessage {
  role: string;
  content: string;
  tool_calls?: ToolCallMessagePart[];
  tool_call_id?: string;
}

/** Token counts read off a Gemini `usageMetadata`. */
export interface GeminiUsage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  totalTokens?: number | undefined;
}

type Loose = Record<string, unknown>;

export function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : safeJsonStringify(value);
}

/** Parses one of ADK's JSON attributes; `undefined` when absent, empty (`{}`) or not JSON. */
export function parseJsonAttribute(value: unknown): Loose | undefined {
  if (typeof value !== 'string' || value === '' || value === '{}') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function roleOf(role: unknown, fallback: string): string {
  if (role === 'model') return 'assistant';
  return typeof role === 'string' && role ? role : fallback;
}

/**
 * Converts Gemini `Content`s (`{role: 'user' | 'model', parts: [...]}`) into Galileo messages:
 * `model` becomes `assistant`, `functionCall` parts become `tool_calls`, `functionResponse`
 * parts become `tool` messages, inline data becomes a `[mime/type]` marker; thoughts are left
 * out (they are not what the model said). Anything unknown is kept as JSON text.
 */
export function contentsToMessages(contents: unknown, defaultRole = 'user'): ChatMessage[] {
  if (contents === undefined || contents === null) return [];
  const list = Array.isArray(contents) ? contents : [contents];
  const out: ChatMessage[] = [];
  for (const content of list) {
    if (typeof content === 'string') {
      out.push({ role: defaultRole, content });
      continue;
    }
    if (!isObject(content)) continue;
    const role = roleOf(content.role, defaultRole);
    const parts = Array.isArray(content.parts) ? content.parts : [];
    const texts: string[] = [];
    const toolCalls: ToolCallMessagePart[] = [];
    const toolResults: ChatMessage[] = [];
    for (const part of parts) {
      if (!isObject(part)) {
        texts.push(text(part));
        continue;
      }
      if (part.thought === true) continue;
      if (typeof part.text === 'string') {
        texts.push(part.text);
      } else if (isObject(part.functionCall)) {
        const call = part.functionCall;
        toolCalls.push({
          id: text(call.id),
          type: 'function',
          function: { name: text(call.name), arguments: text(call.args ?? {}) },
        });
      } else if (isObject(part.functionResponse)) {
        const response = part.functionResponse;
        const message: ChatMessage = { role: 'tool', content: text(response.response) };
        if (typeof response.id === 'string' && response.id) message.tool_call_id = response.id;
        toolResults.push(message);
      } else if (isObject(part.inlineData) || isObject(part.fileData)) {
        const data = (part.inlineData ?? part.fileData) as Loose;
        texts.push(`[${text(data.mimeType ?? 'file')}]`);
      } else if (isObject(part.executableCode)) {
        texts.push(text(part.executableCode.code));
      } else if (isObject(part.codeExecutionResult)) {
        texts.push(text(part.codeExecutionResult.output));
      } else {
        texts.push(text(part));
      }
    }
    if (texts.length > 0 || toolCalls.length > 0 || toolResults.length === 0) {
      const message: ChatMessage = { role, content: texts.join('') };
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      out.push(message);
    }
    out.push(...toolResults);
  }
  return out;
}

/** `systemInstruction` (a string, a `Content`, a `Part` or parts) as one text. */
export function systemInstructionText(instruction: unknown): string | undefined {
  if (instruction === undefined || instruction === null || instruction === '') return undefined;
  if (typeof instruction === 'string') return instruction;
  const joined = contentsToMessages(
    isObject(instruction) && !('parts' in instruction) ? { parts: [instruction] } : instruction,
    'system',
  )
    .map((m) => m.content)
    .filter((t) => t !== '')
    .join('\n');
  return joined === '' ? undefined : joined;
}

/** Token usage of a Gemini `usageMetadata`. */
export function usageOf(usageMetadata: unknown): GeminiUsage | undefined {
  if (!isObject(usageMetadata)) return undefined;
  const count = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const usage: GeminiUsage = {
    inputTokens: count(usageMetadata.promptTokenCount),
    outputTokens: count(usageMetadata.candidatesTokenCount),
    totalTokens: count(usageMetadata.totalTokenCount),
  };
  return usage.inputTokens === undefined &&
    usage.outputTokens === undefined &&
    usage.totalTokens === undefined
    ? undefined
    : usage;
}

/** The text of the last `user` message that has text (what a person asked). */
export function lastUserText(messages: readonly ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'user' && message.content !== '') return message.content;
  }
  return undefined;
}

/** Whether any message carries text (not only tool calls). */
export function hasText(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => m.content !== '');
}

/** Galileo's message JSON. */
export function messagesAttribute(messages: readonly ChatMessage[]): string {
  return safeJsonStringify(messages);
}
