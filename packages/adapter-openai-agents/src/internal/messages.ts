import type { GalileoMessage, TokenUsage } from '@galileo-otel/core';

/** A tool call the model asked for, remembered to give the tool span its call id. */
export interface ModelToolCall {
  name: string;
  arguments: string;
  id: string | undefined;
}

/** What one model call (a generation or response span) said, in Galileo's shapes. */
export interface LlmContent {
  model: string | undefined;
  responseModel: string | undefined;
  responseId: string | undefined;
  systemInstructions: string | undefined;
  input: GalileoMessage[] | undefined;
  output: GalileoMessage[] | undefined;
  finishReasons: string[] | undefined;
  usage: TokenUsage | undefined;
  toolCalls: ModelToolCall[];
}

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Text of a content value: plain text, or the text parts of a content array. */
function textOf(content: unknown): unknown {
  if (typeof content === 'string') return content;
  if (isDict(content) && typeof content.text === 'string') return content.text;
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === 'string') texts.push(part);
      else if (isDict(part)) {
        const text = str(part.text) ?? str(part.refusal) ?? str(part.transcript);
        if (text !== undefined) texts.push(text);
        else if (part.type !== undefined) return content;
      }
    }
    return texts.join('\n');
  }
  return content ?? '';
}

/** Usage in any of the shapes the SDK and the OpenAI APIs use. */
export function usageOf(raw: unknown): TokenUsage | undefined {
  if (!isDict(raw)) return undefined;
  const inputTokens = num(raw.input_tokens) ?? num(raw.prompt_tokens) ?? num(raw.inputTokens);
  const outputTokens =
    num(raw.output_tokens) ?? num(raw.completion_tokens) ?? num(raw.outputTokens);
  const totalTokens = num(raw.total_tokens) ?? num(raw.totalTokens);
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined) {
    return undefined;
  }
  return { inputTokens, outputTokens, totalTokens };
}

/** Chat Completions request messages → system instructions plus `{role, content}` messages. */
function chatInput(messages: readonly unknown[]): {
  system: string | undefined;
  input: GalileoMessage[];
} {
  const system: string[] = [];
  const input: GalileoMessage[] = [];
  for (const message of messages) {
    if (!isDict(message)) continue;
    const role = str(message.role) ?? 'user';
    if (role === 'system' || role === 'developer') {
      const text = textOf(message.content);
      system.push(typeof text === 'string' ? text : JSON.stringify(text));
      continue;
    }
    if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      input.push({ role, content: message.tool_calls.map(chatToolCall) });
      continue;
    }
    input.push({ role, content: textOf(message.content) });
  }
  return { system: system.length > 0 ? system.join('\n') : undefined, input };
}

function chatToolCall(call: unknown): Dict {
  if (!isDict(call)) return {};
  const fn = isDict(call.function) ? call.function : {};
  return { type: 'tool_call', id: call.id, name: fn.name, arguments: fn.arguments };
}

/** A Chat Completions response (`generation` span `output[0]`). */
function chatOutput(response: Dict): {
  output: GalileoMessage[];
  finishReasons: string[];
  toolCalls: ModelToolCall[];
} {
  const output: GalileoMessage[] = [];
  const finishReasons: string[] = [];
  const toolCalls: ModelToolCall[] = [];
  const choices = Array.isArray(response.choices) ? response.choices : [];
  for (const choice of choices) {
    if (!isDict(choice)) continue;
    const reason = str(choice.finish_reason);
    if (reason) finishReasons.push(reason);
    const message = isDict(choice.message) ? choice.message : undefined;
    if (!message) continue;
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const call of calls) {
      const shaped = chatToolCall(call);
      if (typeof shaped.name === 'string') {
        toolCalls.push({
          name: shaped.name,
          arguments: typeof shaped.arguments === 'string' ? shaped.arguments : '',
          id: str(shaped.id),
        });
      }
    }
    const text = str(message.content) ?? str(message.refusal);
    if (calls.length > 0) {
      output.push({
        role: 'assistant',
        content: text
          ? [{ type: 'text', text }, ...calls.map(chatToolCall)]
          : calls.map(chatToolCall),
      });
    } else {
      output.push({ role: 'assistant', content: text ?? '' });
    }
  }
  return { output, finishReasons, toolCalls };
}

/** The model call of a `generation` span (Chat Completions). */
export function generationContent(data: Dict): LlmContent {
  const input = Array.isArray(data.input) ? chatInput(data.input) : undefined;
  const first = Array.isArray(data.output) && isDict(data.output[0]) ? data.output[0] : undefined;
  const out = first ? chatOutput(first) : undefined;
  return {
    model: str(data.model),
    responseModel: first ? str(first.model) : undefined,
    responseId: first ? str(first.id) : undefined,
    systemInstructions: input?.system,
    input: input?.input,
    output: out && out.output.length > 0 ? out.output : undefined,
    finishReasons: out && out.finishReasons.length > 0 ? out.finishReasons : undefined,
    usage: usageOf(data.usage) ?? (first ? usageOf(first.usage) : undefined),
    toolCalls: out?.toolCalls ?? [],
  };
}

/** Responses API items (input or output) → `{role, content}` messages. */
function responseItems(items: readonly unknown[], toolCalls?: ModelToolCall[]): GalileoMessage[] {
  const messages: GalileoMessage[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      messages.push({ role: 'user', content: item });
      continue;
    }
    if (!isDict(item)) continue;
    const type = str(item.type);
    if (type === 'function_call') {
      const name = str(item.name) ?? 'function';
      const args = typeof item.arguments === 'string' ? item.arguments : '';
      const id = str(item.call_id) ?? str(item.callId) ?? str(item.id);
      toolCalls?.push({ name, arguments: args, id });
      messages.push({
        role: 'assistant',
        content: [{ type: 'tool_call', id, name, arguments: args }],
      });
    } else if (type === 'function_call_output' || type === 'function_call_result') {
      messages.push({ role: 'tool', content: textOf(item.output) });
    } else if (type === 'reasoning') {
      // Reasoning summaries are not part of the conversation Galileo shows.
    } else if (type === undefined || type === 'message') {
      messages.push({ role: str(item.role) ?? 'assistant', content: textOf(item.content) });
    } else {
      messages.push({ role: str(item.role) ?? 'assistant', content: item });
    }
  }
  return messages;
}

/** The model call of a `response` span (Responses API). */
export function responseContent(data: Dict): LlmContent {
  const response = isDict(data._response) ? data._response : undefined;
  const rawInput = data._input;
  let input: GalileoMessage[] | undefined;
  let system: string | undefined;
  if (typeof rawInput === 'string') input = [{ role: 'user', content: rawInput }];
  else if (Array.isArray(rawInput)) {
    const all = responseItems(rawInput);
    const systemTexts = all
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => String(m.content));
    if (systemTexts.length > 0) system = systemTexts.join('\n');
    input = all.filter((m) => m.role !== 'system' && m.role !== 'developer');
  }
  const toolCalls: ModelToolCall[] = [];
  const output =
    response && Array.isArray(response.output)
      ? responseItems(response.output, toolCalls)
      : undefined;
  const instructions = response ? str(response.instructions) : undefined;
  const status = response ? str(response.status) : undefined;
  return {
    model: response ? str(response.model) : undefined,
    responseModel: response ? str(response.model) : undefined,
    responseId: str(data.response_id) ?? (response ? str(response.id) : undefined),
    systemInstructions: instructions ?? system,
    input,
    output: output && output.length > 0 ? output : undefined,
    finishReasons: status ? [status] : undefined,
    usage: response ? usageOf(response.usage) : undefined,
    toolCalls,
  };
}
