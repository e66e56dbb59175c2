import {
  asNumber,
  asString,
  type GalileoMessage,
  isRecord,
  safeJsonStringify,
  type TokenUsage,
  toolCall,
} from '@galileo-otel/core/adapter';

// LangChain messages in, the one message shape out. Everything here is duck-typed: a message
// may be a BaseMessage of the app's @langchain/core copy, a plain `{role, content}` object, a
// `[role, content]` tuple or a string (all of which LangChain accepts as input).

const ROLES: Readonly<Record<string, string>> = {
  human: 'user',
  user: 'user',
  ai: 'assistant',
  assistant: 'assistant',
  system: 'system',
  developer: 'system',
  tool: 'tool',
  function: 'tool',
};

/** The role of a LangChain message type (`human` → `user`, `ai` → `assistant`, ...). */
function roleOf(type: string | undefined, fallback: string): string {
  return (type && ROLES[type]) ?? type ?? fallback;
}

// Content blocks that are a tool call: the call is in the message's `tool_calls`, never in its
// content (Gemini's `functionCall`, Anthropic's `tool_use`, LangChain's standard `tool_call`).
const CALL_BLOCKS = new Set([
  'functionCall',
  'function_call',
  'tool_use',
  'tool_call',
  'tool_call_chunk',
  'server_tool_call',
]);

/**
 * Message content as text: a string as is; of a block list, the text blocks joined, or, when there
 * is no text, the other blocks (images, ...) as JSON. Tool-call blocks are left out.
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) return safeJsonStringify(content);
  const texts: string[] = [];
  const others: unknown[] = [];
  for (const block of content) {
    if (typeof block === 'string') texts.push(block);
    else if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
    } else if (!(isRecord(block) && CALL_BLOCKS.has(String(block.type)))) others.push(block);
  }
  return texts.length > 0 || others.length === 0 ? texts.join('') : safeJsonStringify(others);
}

/** Whether a value looks like a chat message LangChain would accept. */
function isMessageLike(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.length === 2 && typeof value[0] === 'string';
  return isRecord(value) && ('content' in value || 'tool_calls' in value);
}

/** One LangChain message in the canonical shape. */
export function toGalileoMessage(message: unknown, fallbackRole = 'user'): GalileoMessage {
  if (typeof message === 'string') return { role: fallbackRole, content: message };
  if (Array.isArray(message)) {
    return { role: roleOf(asString(message[0]), fallbackRole), content: contentText(message[1]) };
  }
  if (!isRecord(message)) return { role: fallbackRole, content: contentText(message) };
  const type = asString(message.type) ?? asString(message.role);
  const role =
    type === 'generic' ? (asString(message.role) ?? fallbackRole) : roleOf(type, fallbackRole);
  const out: GalileoMessage = { role, content: contentText(message.content) };
  if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
    out.tool_calls = message.tool_calls.filter(isRecord).map((call) =>
      isRecord(call.function)
        ? // An OpenAI-shaped call (plain input messages): already {id, function: {name, arguments}}.
          toolCall({
            id: asString(call.id),
            name: asString(call.function.name) ?? '',
            arguments: call.function.arguments,
          })
        : toolCall({
            id: asString(call.id),
            name: asString(call.name) ?? '',
            arguments: call.args,
          }),
    );
  }
  const callId = asString(message.tool_call_id);
  if (callId) out.tool_call_id = callId;
  return out;
}

/** A list of messages in the canonical shape. */
export function toGalileoMessages(
  messages: readonly unknown[],
  fallbackRole = 'user',
): GalileoMessage[] {
  return messages.map((message) => toGalileoMessage(message, fallbackRole));
}

/**
 * The messages in a chain input or output: a message list, a state with a `messages` list
 * (LangGraph's MessagesState and every agent built on it), a node's `Command` (its `update`), a
 * list of those, or any of these under LangChain's `{output}` wrapper.
 */
function messagesIn(value: unknown, depth = 0): unknown[] | undefined {
  if (depth > 4) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isMessageLike)) return value;
    const lists = value.map((item) => messagesIn(item, depth + 1));
    return value.length > 0 && lists.every((l) => l !== undefined) ? lists.flat() : undefined;
  }
  if (!isRecord(value)) return undefined;
  if (Array.isArray(value.messages) && value.messages.every(isMessageLike)) return value.messages;
  if (value.lg_name === 'Command') return messagesIn(value.update, depth + 1);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'output') return messagesIn(value.output, depth + 1);
  return undefined;
}

/**
 * A chain input or output as messages (see {@link messagesIn}), one message, a string, a
 * one-key object holding a string (`{output: "..."}`), or, for anything else, one message whose
 * content is the value as JSON text. Never an empty list.
 */
export function stateMessages(value: unknown, role: 'user' | 'assistant'): GalileoMessage[] {
  if (typeof value === 'string') return [{ role, content: value }];
  const list = messagesIn(value);
  if (list && list.length > 0) return toGalileoMessages(list, role);
  if (isRecord(value)) {
    if ('content' in value && (asString(value.type) || asString(value.role))) {
      return [toGalileoMessage(value, role)];
    }
    const keys = Object.keys(value);
    const only = keys.length === 1 ? value[keys[0] as string] : undefined;
    if (typeof only === 'string') return [{ role, content: only }];
  }
  return [{ role, content: safeJsonStringify(value) }];
}

/** What a model call returned, read from LangChain's `LLMResult`. */
export interface ModelOutput {
  /** The assistant message(s), one per generation of the first prompt. */
  messages: GalileoMessage[];
  usage: TokenUsage | undefined;
  responseModel: string | undefined;
  responseId: string | undefined;
  finishReasons: string[];
}

/** Reads a model call's output, usage and response metadata from an `LLMResult`. */
export function modelOutput(result: unknown): ModelOutput {
  const out: ModelOutput = {
    messages: [],
    usage: undefined,
    responseModel: undefined,
    responseId: undefined,
    finishReasons: [],
  };
  if (!isRecord(result)) return out;
  const generations = Array.isArray(result.generations) ? result.generations[0] : undefined;
  for (const generation of Array.isArray(generations) ? generations : []) {
    if (!isRecord(generation)) continue;
    const message = generation.message;
    if (isRecord(message)) {
      out.messages.push(toGalileoMessage(message, 'assistant'));
      out.usage ??= usageOf(message.usage_metadata);
      const metadata = isRecord(message.response_metadata) ? message.response_metadata : {};
      out.responseModel ??= asString(metadata.model_name) ?? asString(metadata.model);
      out.responseId ??= asString(message.id);
      const reason = asString(metadata.finish_reason) ?? asString(metadata.stop_reason);
      if (reason) out.finishReasons.push(reason);
    } else {
      out.messages.push({ role: 'assistant', content: contentText(generation.text) });
    }
    const info = isRecord(generation.generationInfo) ? generation.generationInfo : {};
    const reason = asString(info.finish_reason);
    if (reason && !out.finishReasons.includes(reason)) out.finishReasons.push(reason);
  }
  const llmOutput = isRecord(result.llmOutput) ? result.llmOutput : {};
  out.usage ??= usageOf(llmOutput.tokenUsage);
  return out;
}

/** Token counts from `usage_metadata` (snake case) or `llmOutput.tokenUsage` (camel case). */
function usageOf(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const usage: TokenUsage = {
    inputTokens: asNumber(value.input_tokens ?? value.promptTokens),
    outputTokens: asNumber(value.output_tokens ?? value.completionTokens),
    totalTokens: asNumber(value.total_tokens ?? value.totalTokens),
  };
  return usage.inputTokens === undefined && usage.outputTokens === undefined ? undefined : usage;
}

/** A retrieved document in Galileo's documents shape: `{content, metadata}` (plus `id`). */
export function documentOf(document: unknown): Record<string, unknown> {
  if (!isRecord(document)) return { content: contentText(document) };
  const out: Record<string, unknown> = { content: contentText(document.pageContent) };
  if (isRecord(document.metadata) && Object.keys(document.metadata).length > 0) {
    out.metadata = document.metadata;
  }
  const id = asString(document.id);
  if (id) out.id = id;
  return out;
}

/** A tool's result as text: a ToolMessage's content, else the value (JSON for objects). */
export function toolResultText(output: unknown): string | undefined {
  if (output === undefined || output === null) return undefined;
  if (typeof output === 'string') return output;
  if (
    isRecord(output) &&
    'content' in output &&
    ('tool_call_id' in output || 'lc_kwargs' in output)
  ) {
    return contentText(output.content);
  }
  return safeJsonStringify(output);
}
