import type { IncomingHttpHeaders } from 'node:http';
import { splitJson } from './openai-chat.js';
import type { Decision, ToolChoice, ToolResult, ToolSpec } from './policy.js';
import { pieces } from './policy.js';
import {
  BadRequestError,
  type ErrorKind,
  isRecord,
  type ParsedRequest,
  type Protocol,
  type RenderContext,
  type Rendered,
  type RouteInfo,
  type SseEvent,
} from './protocol.js';
import { countTokens, firstTokens } from './text.js';

/** The `anthropic-version` values the API accepts. */
const VERSIONS = new Set(['2026-10-21', '2023-06-01', '2023-01-01']);
/** Sampling parameters that API version 2026-10-21 no longer accepts (any value is a 400). */
const REMOVED_IN_2026_10_21 = ['temperature', 'top_p', 'top_k'];

type Block = Record<string, unknown> & { type: string };

/** A message `content`: a string (one text block) or a list of typed blocks. */
function blocksOf(content: unknown, at: string): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw new BadRequestError(`${at}: Input should be a valid list`);
  return content.map((block, j) => {
    if (!isRecord(block) || typeof block.type !== 'string') {
      throw new BadRequestError(`${at}.${j}: Input tag not found; a content block needs a type`);
    }
    return block as Block;
  });
}

function textOf(blocks: Block[]): string {
  return blocks
    .flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : []))
    .join('\n');
}

function systemText(system: unknown): string {
  if (system === undefined || system === null) return '';
  if (typeof system === 'string') return system;
  return textOf(blocksOf(system, 'system'));
}

/**
 * Claude Code puts `<system-reminder>` text blocks into user messages (context, not the
 * question); they count as input but never as what the user asked.
 */
const REMINDER_RE = /^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/;
// The CLI also appends reminders to a tool's result text (the tokens left): context, not what
// the tool returned.
const APPENDED_REMINDERS_RE = /\s*<system-reminder>[\s\S]*?<\/system-reminder>/g;

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .flatMap((b) => (isRecord(b) && typeof b.text === 'string' ? [b.text] : []))
      .join('\n');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

function idsOf(blocks: Block[], type: 'tool_use' | 'tool_result'): string[] {
  const key = type === 'tool_use' ? 'id' : 'tool_use_id';
  return blocks.flatMap((b) => (b.type === type && typeof b[key] === 'string' ? [b[key]] : []));
}

/**
 * The pairing rule the real API enforces: every `tool_use` of an assistant turn has its
 * `tool_result` in the next message, and every `tool_result` answers a `tool_use` of the
 * message before it.
 */
function checkPairs(all: Block[][], roles: string[]): void {
  all.forEach((blocks, i) => {
    const prev = i > 0 && roles[i - 1] === 'assistant' ? idsOf(all[i - 1] ?? [], 'tool_use') : [];
    blocks.forEach((b, j) => {
      if (b.type !== 'tool_result') return;
      const id = String(b.tool_use_id ?? '');
      if (roles[i] !== 'user' || !prev.includes(id)) {
        throw new BadRequestError(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    });
    const next = all[i + 1];
    if (roles[i] !== 'assistant' || next === undefined) return;
    const answered = idsOf(next, 'tool_result');
    const missing = idsOf(blocks, 'tool_use').filter((id) => !answered.includes(id));
    if (missing.length > 0) {
      throw new BadRequestError(
        `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
  });
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new BadRequestError('tools: Input should be a valid list');
  const out: ToolSpec[] = [];
  tools.forEach((tool, i) => {
    if (!isRecord(tool))
      throw new BadRequestError(`tools.${i}: Input should be a valid dictionary`);
    // Typed tools (`bash_20250124`, `web_search_20250305`, ...) are run by the API or defined
    // by Anthropic; the local model never calls them.
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') return;
    if (typeof tool.name !== 'string' || tool.name === '') {
      throw new BadRequestError(`tools.${i}.custom.name: Field required`);
    }
    if (!isRecord(tool.input_schema)) {
      throw new BadRequestError(`tools.${i}.custom.input_schema: Field required`);
    }
    out.push({
      name: tool.name,
      description: typeof tool.description === 'string' ? tool.description : '',
      parameters: tool.input_schema,
    });
  });
  return out;
}

function parseToolChoice(choice: unknown): ToolChoice {
  if (!isRecord(choice)) return { mode: 'auto' };
  if (choice.type === 'none') return { mode: 'none' };
  if (choice.type === 'any') return { mode: 'required' };
  if (choice.type === 'tool' && typeof choice.name === 'string') {
    return { mode: 'tool', name: choice.name };
  }
  return { mode: 'auto' };
}

/** Structured output: `output_config.format`, or the beta's `output_format`. */
function outputSchema(body: Record<string, unknown>): unknown {
  const config = isRecord(body.output_config) ? body.output_config.format : undefined;
  const format = config ?? body.output_format;
  if (isRecord(format) && format.type === 'json_schema') return format.schema ?? {};
  return undefined;
}

function parse(body: Record<string, unknown>, route: RouteInfo): ParsedRequest {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new BadRequestError('model: Field required');
  }
  if (!route.countTokens) {
    const max = body.max_tokens;
    if (max === undefined) throw new BadRequestError('max_tokens: Field required');
    if (typeof max !== 'number' || !Number.isInteger(max)) {
      throw new BadRequestError('max_tokens: Input should be a valid integer');
    }
    if (max < 1)
      throw new BadRequestError('max_tokens: Input should be greater than or equal to 1');
  }
  if (route.headers && header(route.headers, 'anthropic-version')?.trim() === '2026-10-21') {
    const removed = REMOVED_IN_2026_10_21.find((k) => body[k] !== undefined);
    if (removed) throw new BadRequestError(`${removed}: Extra inputs are not permitted`);
  }
  const messages = body.messages;
  if (messages === undefined) throw new BadRequestError('messages: Field required');
  if (!Array.isArray(messages)) throw new BadRequestError('messages: Input should be a valid list');
  if (messages.length === 0) {
    throw new BadRequestError('messages: at least one message is required');
  }
  const system = systemText(body.system);
  const inputs: string[] = [system];
  const userTexts: string[] = [];
  const reminders: string[] = [];
  const callNames = new Map<string, string>();
  let toolResults: ToolResult[] = [];
  const roles: string[] = [];
  const all = messages.map((msg, i) => {
    if (!isRecord(msg))
      throw new BadRequestError(`messages.${i}: Input should be a valid dictionary`);
    if (msg.role !== 'user' && msg.role !== 'assistant') {
      throw new BadRequestError(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    roles.push(msg.role);
    const blocks = blocksOf(msg.content, `messages.${i}.content`);
    const text = textOf(blocks);
    if (text !== '') inputs.push(text);
    if (msg.role === 'assistant') {
      for (const b of blocks) {
        if (b.type !== 'tool_use') continue;
        const name = typeof b.name === 'string' ? b.name : '';
        if (typeof b.id === 'string') callNames.set(b.id, name);
        inputs.push(`${name} ${JSON.stringify(b.input ?? {})}`);
      }
      return blocks;
    }
    const isReminder = (b: Block) => b.type === 'text' && REMINDER_RE.test(String(b.text));
    reminders.push(textOf(blocks.filter(isReminder)));
    const asked = textOf(blocks.filter((b) => !isReminder(b)));
    if (asked !== '') {
      userTexts.push(asked);
      toolResults = [];
    }
    for (const b of blocks) {
      if (b.type !== 'tool_result') continue;
      const content = resultText(b.content);
      inputs.push(content);
      toolResults.push({
        name: callNames.get(String(b.tool_use_id)),
        content: content.replace(APPENDED_REMINDERS_RE, ''),
      });
    }
    return blocks;
  });
  checkPairs(all, roles);
  return {
    model: body.model,
    stream: body.stream === true,
    body,
    conversation: {
      system,
      userTexts,
      toolResults,
      tools: parseTools(body.tools),
      toolChoice: parseToolChoice(body.tool_choice),
      outputSchema: outputSchema(body),
      inputText: inputs.join('\n'),
      context: reminders.filter((r) => r !== '').join('\n'),
    },
  };
}

/** What the answer becomes once `stop_sequences` and `max_tokens` are applied. */
interface Answer {
  block: Block | undefined;
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal';
  stopSequence: string | null;
  output: number;
}

function answerOf(req: ParsedRequest, decision: Decision, ctx: RenderContext): Answer {
  const max = typeof req.body.max_tokens === 'number' ? req.body.max_tokens : Infinity;
  if (decision.kind === 'tool') {
    const block: Block = {
      type: 'tool_use',
      id: `toolu_01${ctx.hash.slice(22, 44)}`,
      name: decision.name,
      input: decision.arguments,
    };
    // A call that does not fit is cut short: its block is there, its input incomplete.
    if (ctx.usage.output > max) {
      return {
        block: { ...block, input: {} },
        stopReason: 'max_tokens',
        stopSequence: null,
        output: max,
      };
    }
    return { block, stopReason: 'tool_use', stopSequence: null, output: ctx.usage.output };
  }
  let text = decision.text;
  let stopReason: Answer['stopReason'] = decision.kind === 'refusal' ? 'refusal' : 'end_turn';
  let stopSequence: string | null = null;
  const sequences = Array.isArray(req.body.stop_sequences) ? req.body.stop_sequences : [];
  let cut = text.length;
  for (const seq of sequences) {
    const at = typeof seq === 'string' && seq !== '' ? text.indexOf(seq) : -1;
    if (at !== -1 && at < cut) {
      cut = at;
      stopSequence = seq as string;
    }
  }
  if (stopSequence !== null) {
    text = text.slice(0, cut);
    stopReason = 'stop_sequence';
  }
  let output = countTokens(text);
  if (output > max) {
    text = firstTokens(text, max);
    output = max;
    stopReason = 'max_tokens';
    stopSequence = null;
  }
  return {
    block: text === '' ? undefined : { type: 'text', text },
    stopReason,
    stopSequence,
    output,
  };
}

function render(req: ParsedRequest, decision: Decision, ctx: RenderContext): Rendered {
  const answer = answerOf(req, decision, ctx);
  const usage = {
    input_tokens: ctx.usage.input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: answer.output,
    service_tier: 'standard',
  };
  const stopDetails =
    answer.stopReason === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null;
  const message = {
    id: `msg_01${ctx.hash.slice(0, 22)}`,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content: answer.block ? [answer.block] : [],
    stop_reason: answer.stopReason,
    stop_sequence: answer.stopSequence,
    stop_details: stopDetails,
    usage,
  };
  if (!req.stream) return { kind: 'json', body: message };
  const events: SseEvent[] = [];
  const send = (data: Record<string, unknown> & { type: string }) =>
    events.push({ event: data.type, data: JSON.stringify(data) });
  send({
    type: 'message_start',
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  const block = answer.block;
  if (block === undefined) send({ type: 'ping' });
  else if (block.type === 'tool_use') {
    send({ type: 'content_block_start', index: 0, content_block: { ...block, input: {} } });
    send({ type: 'ping' });
    const json = answer.stopReason === 'max_tokens' ? '' : JSON.stringify(block.input);
    for (const part of ['', ...(json === '' ? [] : splitJson(json))]) {
      send({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: part },
      });
    }
  } else {
    send({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send({ type: 'ping' });
    for (const part of pieces(String(block.text))) {
      send({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } });
    }
  }
  if (block !== undefined) send({ type: 'content_block_stop', index: 0 });
  send({
    type: 'message_delta',
    delta: {
      stop_reason: answer.stopReason,
      stop_sequence: answer.stopSequence,
      stop_details: stopDetails,
    },
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: answer.output,
    },
  });
  send({ type: 'message_stop' });
  return { kind: 'sse', events };
}

const ERROR_TYPES: Record<ErrorKind, string> = {
  'bad-request': 'invalid_request_error',
  'too-large': 'request_too_large',
  'not-found': 'not_found_error',
  'rate-limit': 'rate_limit_error',
  'server-error': 'api_error',
  unauthenticated: 'authentication_error',
  overloaded: 'overloaded_error',
};

function error(
  kind: ErrorKind,
  message: string,
  _param?: string | null,
  requestId?: string,
): unknown {
  return {
    type: 'error',
    error: { type: ERROR_TYPES[kind], message },
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Credentials (`x-api-key`, or `Authorization: Bearer` as the SDK 1.x sends), then the version. */
function checkHeaders(
  headers: IncomingHttpHeaders,
): { kind: ErrorKind; message: string } | undefined {
  const key = header(headers, 'x-api-key')?.trim();
  const bearer = /^Bearer\s+\S/i.test(header(headers, 'authorization') ?? '');
  if (!key && !bearer) return { kind: 'unauthenticated', message: 'x-api-key header is required' };
  const version = header(headers, 'anthropic-version');
  if (version === undefined || version.trim() === '') {
    return { kind: 'bad-request', message: 'anthropic-version: header is required' };
  }
  if (!VERSIONS.has(version.trim())) {
    return {
      kind: 'bad-request',
      message: `anthropic-version: ${JSON.stringify(version)} is not a valid version`,
    };
  }
  return undefined;
}

/** Anthropic Messages (`POST /v1/messages`, `POST /v1/messages/count_tokens`). */
export const anthropic: Protocol = {
  parse,
  render,
  error,
  checkHeaders,
  errorStatus: { overloaded: 529 },
  requestIdHeader: 'request-id',
};
