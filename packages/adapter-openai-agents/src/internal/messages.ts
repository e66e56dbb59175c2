import {
  asNumber,
  asString,
  type GalileoMessage,
  type GalileoToolCall,
  isRecord,
  type TokenUsage,
  toolCall,
} from '@galileo-otel/core/adapter';

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
  /** The tools the model asked for, in order (also on `output`), to give tool spans their id. */
  toolCalls: GalileoToolCall[];
}

type Dict = Record<string, unknown>;

/** Text of a content value: plain text, or the text parts of a content array. */
function textOf(content: unknown): unknown {
  if (typeof content === 'string') return content;
  if (isRecord(content) && typeof content.text === 'string') return content.text;
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === 'string') texts.push(part);
      else if (isRecord(part)) {
        const text = asString(part.text) ?? asString(part.refusal) ?? asString(part.transcript);
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
  if (!isRecord(raw)) return undefined;
  const inputTokens =
    asNumber(raw.input_tokens) ?? asNumber(raw.prompt_tokens) ?? asNumber(raw.inputTokens);
  const outputTokens =
    asNumber(raw.output_tokens) ?? asNumber(raw.completion_tokens) ?? asNumber(raw.outputTokens);
  const totalTokens = asNumber(raw.total_tokens) ?? asNumber(raw.totalTokens);
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined) {
    return undefined;
  }
  return { inputTokens, outputTokens, totalTokens };
}

/** The `tool_calls` of a Chat Completions message, in the canonical shape. */
function chatToolCalls(calls: unknown): GalileoToolCall[] {
  if (!Array.isArray(calls)) return [];
  const out: GalileoToolCall[] = [];
  for (const call of calls) {
    if (!isRecord(call) || !isRecord(call.function)) continue;
    const name = asString(call.function.name);
    if (name)
      out.push(toolCall({ id: asString(call.id), name, arguments: call.function.arguments }));
  }
  return out;
}

/** A Chat Completions message (request or response) as a Galileo message. */
function chatMessage(message: Dict, defaultRole: string): GalileoMessage {
  const role = asString(message.role) ?? defaultRole;
  const text = textOf(message.content);
  const refusal = asString(message.refusal);
  const out: GalileoMessage = { role, content: text === '' && refusal ? refusal : text };
  const calls = chatToolCalls(message.tool_calls);
  if (calls.length > 0) out.tool_calls = calls;
  const answers = asString(message.tool_call_id);
  if (answers) out.tool_call_id = answers;
  return out;
}

/** Chat Completions request messages → system instructions plus the conversation. */
function chatInput(messages: readonly unknown[]): {
  system: string | undefined;
  input: GalileoMessage[];
} {
  const system: string[] = [];
  const input: GalileoMessage[] = [];
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const shaped = chatMessage(message, 'user');
    if (shaped.role === 'system' || shaped.role === 'developer') {
      system.push(
        typeof shaped.content === 'string' ? shaped.content : JSON.stringify(shaped.content),
      );
      continue;
    }
    input.push(shaped);
  }
  return { system: system.length > 0 ? system.join('\n') : undefined, input };
}

/** A Chat Completions response (`generation` span `output[0]`). */
function chatOutput(response: Dict): { output: GalileoMessage[]; finishReasons: string[] } {
  const output: GalileoMessage[] = [];
  const finishReasons: string[] = [];
  const choices = Array.isArray(response.choices) ? response.choices : [];
  for (const choice of choices) {
    if (!isRecord(choice)) continue;
    const reason = asString(choice.finish_reason);
    if (reason) finishReasons.push(reason);
    if (isRecord(choice.message)) output.push(chatMessage(choice.message, 'assistant'));
  }
  return { output, finishReasons };
}

function toolCallsOf(messages: readonly GalileoMessage[] | undefined): GalileoToolCall[] {
  return messages?.flatMap((message) => message.tool_calls ?? []) ?? [];
}

/** The model call of a `generation` span (Chat Completions). */
export function generationContent(data: Dict): LlmContent {
  const input = Array.isArray(data.input) ? chatInput(data.input) : undefined;
  const first = Array.isArray(data.output) && isRecord(data.output[0]) ? data.output[0] : undefined;
  const out = first ? chatOutput(first) : undefined;
  const output = out && out.output.length > 0 ? out.output : undefined;
  return {
    model: asString(data.model),
    responseModel: first ? asString(first.model) : undefined,
    responseId: first ? asString(first.id) : undefined,
    systemInstructions: input?.system,
    input: input?.input,
    output,
    finishReasons: out && out.finishReasons.length > 0 ? out.finishReasons : undefined,
    usage: usageOf(data.usage) ?? (first ? usageOf(first.usage) : undefined),
    toolCalls: toolCallsOf(output),
  };
}

/**
 * Adds a tool call to the assistant message just before it (a Responses output is a list of
 * items: the text and the calls of one model turn are one assistant message in chat form), or
 * starts an assistant message.
 */
function appendToolCall(messages: GalileoMessage[], call: GalileoToolCall): void {
  const last = messages.at(-1);
  if (last && last.role === 'assistant' && last.tool_call_id === undefined) {
    last.tool_calls = [...(last.tool_calls ?? []), call];
    return;
  }
  messages.push({ role: 'assistant', content: '', tool_calls: [call] });
}

/**
 * Responses API items (the SDK's `_input`, the response's `output`) → Galileo messages. Calls
 * (`function_call`, and the hosted / computer / shell `…_call` items) become `tool_calls` on the
 * assistant message; their results (`function_call_output`, the SDK's `function_call_result`,
 * `…_call_output`) become `tool` messages with the call's id.
 */
function responseItems(items: readonly unknown[]): GalileoMessage[] {
  const messages: GalileoMessage[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      messages.push({ role: 'user', content: item });
      continue;
    }
    if (!isRecord(item)) continue;
    const type = asString(item.type);
    const callId = asString(item.call_id) ?? asString(item.callId);
    if (type === undefined || type === 'message') {
      messages.push({ role: asString(item.role) ?? 'assistant', content: textOf(item.content) });
    } else if (type === 'reasoning' || type === 'compaction') {
      // Reasoning summaries and compaction markers are not part of the conversation shown.
    } else if (type.endsWith('_call')) {
      appendToolCall(
        messages,
        toolCall({
          id: callId ?? asString(item.id),
          name: asString(item.name) ?? type.slice(0, -'_call'.length),
          arguments: item.arguments ?? item.input ?? item.action ?? item.actions ?? item.operation,
        }),
      );
    } else if (callId && (type.endsWith('_output') || type.endsWith('_result'))) {
      messages.push({ role: 'tool', content: textOf(item.output), tool_call_id: callId });
    } else {
      messages.push({ role: asString(item.role) ?? 'assistant', content: item });
    }
  }
  return messages;
}

/** The model call of a `response` span (Responses API). */
export function responseContent(data: Dict): LlmContent {
  const response = isRecord(data._response) ? data._response : undefined;
  const rawInput = data._input;
  let input: GalileoMessage[] | undefined;
  let system: string | undefined;
  if (typeof rawInput === 'string') input = [{ role: 'user', content: rawInput }];
  else if (Array.isArray(rawInput)) {
    const all = responseItems(rawInput);
    const isSystem = (m: GalileoMessage) => m.role === 'system' || m.role === 'developer';
    const systemTexts = all.filter(isSystem).map((m) => String(m.content));
    if (systemTexts.length > 0) system = systemTexts.join('\n');
    input = all.filter((m) => !isSystem(m));
  }
  const items = response && Array.isArray(response.output) ? responseItems(response.output) : [];
  const output = items.length > 0 ? items : undefined;
  const instructions = response ? asString(response.instructions) : undefined;
  const status = response ? asString(response.status) : undefined;
  return {
    model: response ? asString(response.model) : undefined,
    responseModel: response ? asString(response.model) : undefined,
    responseId: asString(data.response_id) ?? (response ? asString(response.id) : undefined),
    systemInstructions: instructions ?? system,
    input,
    output,
    finishReasons: status ? [status] : undefined,
    usage: response ? usageOf(response.usage) : undefined,
    toolCalls: toolCallsOf(output),
  };
}
