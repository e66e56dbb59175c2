import type { GalileoMessage, GalileoToolCall } from '@galileo-otel/core/adapter';
import {
  asNumber,
  asString,
  isRecord,
  safeJsonStringify,
  toolCall,
  turnMessages,
} from '@galileo-otel/core/adapter';

/** A message converted from Gemini: always text content (what `lastUserText` reads). */
export type TextMessage = GalileoMessage & { content: string };

/** Token counts read off a Gemini `usageMetadata`. */
export interface GeminiUsage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  totalTokens?: number | undefined;
}

/** A tool call known to have run, with the id ADK gave it. */
export interface KnownCall {
  name: string;
  id: string;
  /** Its arguments as JSON text, to tell two calls of one tool apart. */
  arguments: string | undefined;
}

/**
 * Puts ids back on tool calls that lack them (ADK removes its own `adk-…` ids from what it sends
 * to and records for the model): a `functionCall` takes the id of an unused known call of the
 * same tool (same arguments first), and a `functionResponse` the id of the earliest unanswered
 * call of its tool before it (Gemini answers parallel calls in order). Changes `contents` (parsed JSON) in place.
 */
export function restoreCallIds(contents: unknown, known: readonly KnownCall[] | undefined): void {
  const unused = [...(known ?? [])];
  const open: Record<string, unknown>[] = [];
  for (const content of Array.isArray(contents) ? contents : [contents]) {
    const parts = isRecord(content) && Array.isArray(content.parts) ? content.parts : [];
    for (const part of parts) {
      if (!isRecord(part)) continue;
      const call = part.functionCall;
      if (isRecord(call)) {
        if (!asString(call.id)) {
          const args = safeJsonStringify(call.args ?? {});
          let index = unused.findIndex((c) => c.name === call.name && c.arguments === args);
          if (index < 0) index = unused.findIndex((c) => c.name === call.name);
          const id = index < 0 ? undefined : unused.splice(index, 1)[0]?.id;
          if (id) call.id = id;
        }
        open.push(call);
      }
      const response = part.functionResponse;
      if (!isRecord(response)) continue;
      const answered = asString(response.id)
        ? open.findIndex((c) => c.id === response.id)
        : open.findIndex((c) => c.name === response.name);
      const id = answered < 0 ? undefined : asString(open.splice(answered, 1)[0]?.id);
      if (id) response.id = id;
    }
  }
}

/** Parses one of ADK's JSON attributes; `undefined` when absent, empty (`{}`) or not JSON. */
export function parseJsonAttribute(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || value === '' || value === '{}') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function roleOf(role: unknown, fallback: string): string {
  if (role === 'model') return 'assistant';
  return asString(role) ?? fallback;
}

/** The text a non-text part stands for (a marker, code, a code result; unknown parts as JSON). */
function otherPartText(part: Record<string, unknown>): string {
  const data = part.inlineData ?? part.fileData;
  if (isRecord(data)) return `[${asString(data.mimeType) ?? 'file'}]`;
  if (isRecord(part.executableCode)) return asString(part.executableCode.code) ?? '';
  if (isRecord(part.codeExecutionResult)) return asString(part.codeExecutionResult.output) ?? '';
  return safeJsonStringify(part);
}

/**
 * Converts Gemini `Content`s (`{role: 'user' | 'model', parts: [...]}`) into Galileo messages:
 * `model` becomes `assistant`, `functionCall` parts become `tool_calls`, `functionResponse`
 * parts become `tool` messages, inline data becomes a `[mime/type]` marker; thoughts are left
 * out (they are not what the model said). Anything unknown is kept as JSON text.
 */
export function contentsToMessages(contents: unknown, defaultRole = 'user'): TextMessage[] {
  if (contents === undefined || contents === null) return [];
  const list = Array.isArray(contents) ? contents : [contents];
  const out: TextMessage[] = [];
  for (const content of list) {
    if (typeof content === 'string') {
      out.push({ role: defaultRole, content });
      continue;
    }
    if (!isRecord(content)) continue;
    const role = roleOf(content.role, defaultRole);
    const parts = Array.isArray(content.parts) ? content.parts : [];
    const texts: string[] = [];
    const toolCalls: GalileoToolCall[] = [];
    const toolResults: TextMessage[] = [];
    for (const part of parts) {
      if (typeof part === 'string') texts.push(part);
      if (!isRecord(part) || part.thought === true) continue;
      if (typeof part.text === 'string') {
        texts.push(part.text);
      } else if (isRecord(part.functionCall)) {
        const call = part.functionCall;
        toolCalls.push(
          toolCall({
            id: asString(call.id),
            name: asString(call.name) ?? '',
            arguments: call.args,
          }),
        );
      } else if (isRecord(part.functionResponse)) {
        const response = part.functionResponse;
        const message: TextMessage = {
          role: 'tool',
          content: response.response === undefined ? '' : safeJsonStringify(response.response),
        };
        const id = asString(response.id);
        if (id) message.tool_call_id = id;
        toolResults.push(message);
      } else {
        texts.push(otherPartText(part));
      }
    }
    out.push(...turnMessages({ role, texts, toolCalls, toolResults }));
  }
  return out;
}

/** `systemInstruction` (a string, a `Content`, a `Part` or parts) as one text. */
export function systemInstructionText(instruction: unknown): string | undefined {
  if (instruction === undefined || instruction === null || instruction === '') return undefined;
  if (typeof instruction === 'string') return instruction;
  const joined = contentsToMessages(
    isRecord(instruction) && !('parts' in instruction) ? { parts: [instruction] } : instruction,
    'system',
  )
    .map((m) => m.content)
    .filter((t) => t !== '')
    .join('\n');
  return joined === '' ? undefined : joined;
}

/** Token usage of a Gemini `usageMetadata`. */
export function usageOf(usageMetadata: unknown): GeminiUsage | undefined {
  if (!isRecord(usageMetadata)) return undefined;
  const usage: GeminiUsage = {
    inputTokens: asNumber(usageMetadata.promptTokenCount),
    outputTokens: asNumber(usageMetadata.candidatesTokenCount),
    totalTokens: asNumber(usageMetadata.totalTokenCount),
  };
  return usage.inputTokens === undefined &&
    usage.outputTokens === undefined &&
    usage.totalTokens === undefined
    ? undefined
    : usage;
}

/** The text of the last `user` message that has text (what a person asked). */
export function lastUserText(messages: readonly TextMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'user' && message.content !== '') return message.content;
  }
  return undefined;
}

/** Whether any message carries text (not only tool calls). */
export function hasText(messages: readonly TextMessage[]): boolean {
  return messages.some((m) => m.content !== '');
}
