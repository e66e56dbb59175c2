import type { Decision, ToolChoice, ToolResult, ToolSpec } from './policy.js';
import { pieces } from './policy.js';
import {
  BadRequestError,
  checkOpenaiContent,
  isRecord,
  jsonTypeName,
  openaiError,
  type ParsedRequest,
  type Protocol,
  type RenderContext,
  type Rendered,
  type SseEvent,
  textOfContent,
} from './protocol.js';

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new BadRequestError("'tools' must be an array", 'tools');
  const out: ToolSpec[] = [];
  tools.forEach((tool, i) => {
    if (!isRecord(tool)) {
      throw new BadRequestError(
        `Invalid type for 'tools[${i}]': expected an object, but got ${jsonTypeName(tool)} instead.`,
        `tools[${i}]`,
      );
    }
    // Custom (free-form grammar) tools carry no `function`; the local model never calls them.
    if (tool.type === 'custom') return;
    const fn = tool.function;
    if (!isRecord(fn)) {
      throw new BadRequestError(
        `Missing required parameter: 'tools[${i}].function'.`,
        `tools[${i}].function`,
      );
    }
    if (typeof fn.name !== 'string' || fn.name === '') {
      throw new BadRequestError(
        `Missing required parameter: 'tools[${i}].function.name'.`,
        `tools[${i}].function.name`,
      );
    }
    out.push({
      name: fn.name,
      description: typeof fn.description === 'string' ? fn.description : '',
      parameters: fn.parameters,
    });
  });
  return out;
}

function parseToolChoice(choice: unknown): ToolChoice {
  if (choice === 'none') return { mode: 'none' };
  if (choice === 'required') return { mode: 'required' };
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return { mode: 'tool', name: choice.function.name };
  }
  if (isRecord(choice) && isRecord(choice.allowed_tools)) {
    const names = Array.isArray(choice.allowed_tools.tools)
      ? choice.allowed_tools.tools.flatMap((t) =>
          isRecord(t) && isRecord(t.function) && typeof t.function.name === 'string'
            ? [t.function.name]
            : [],
        )
      : [];
    return { mode: 'required', allowed: names };
  }
  return { mode: 'auto' };
}

function outputSchema(format: unknown): unknown {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_schema' && isRecord(format.json_schema)) {
    return format.json_schema.schema ?? {};
  }
  if (format.type === 'json_object') return {};
  return undefined;
}

function parse(body: Record<string, unknown>): ParsedRequest {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new BadRequestError('you must provide a model parameter', 'model');
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError("'messages' must be a non-empty array", 'messages');
  }
  const system: string[] = [];
  const userTexts: string[] = [];
  const inputs: string[] = [];
  const callNames = new Map<string, string>();
  let toolResults: ToolResult[] = [];
  messages.forEach((msg, i) => {
    if (!isRecord(msg) || typeof msg.role !== 'string') {
      throw new BadRequestError(`messages[${i}] must be an object with a role`, `messages[${i}]`);
    }
    checkOpenaiContent(msg.content, `messages[${i}].content`);
    const text = textOfContent(msg.content);
    inputs.push(text);
    if (msg.role === 'system' || msg.role === 'developer') system.push(text);
    else if (msg.role === 'user') {
      userTexts.push(text);
      toolResults = [];
    } else if (msg.role === 'assistant' && Array.isArray(msg.tool_calls)) {
      for (const call of msg.tool_calls) {
        if (isRecord(call) && typeof call.id === 'string' && isRecord(call.function)) {
          const name = typeof call.function.name === 'string' ? call.function.name : '';
          callNames.set(call.id, name);
          inputs.push(`${name} ${String(call.function.arguments ?? '')}`);
        }
      }
    } else if (msg.role === 'tool') {
      const id = typeof msg.tool_call_id === 'string' ? msg.tool_call_id : '';
      toolResults.push({ name: callNames.get(id), content: text });
    }
  });
  return {
    model: body.model,
    stream: body.stream === true,
    body,
    conversation: {
      system: system.join('\n'),
      userTexts,
      toolResults,
      tools: parseTools(body.tools),
      toolChoice: parseToolChoice(body.tool_choice),
      outputSchema: outputSchema(body.response_format),
      inputText: inputs.join('\n'),
    },
  };
}

function usage(ctx: RenderContext) {
  return {
    prompt_tokens: ctx.usage.input,
    completion_tokens: ctx.usage.output,
    total_tokens: ctx.usage.input + ctx.usage.output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function render(req: ParsedRequest, decision: Decision, ctx: RenderContext): Rendered {
  const id = `chatcmpl-${ctx.hash.slice(0, 29)}`;
  const created = 1_735_689_600 + (Number.parseInt(ctx.hash.slice(0, 8), 16) % 31_536_000);
  const callId = `call_${ctx.hash.slice(29, 53)}`;
  const finish = decision.kind === 'tool' ? 'tool_calls' : 'stop';
  const base = { id, object: 'chat.completion', created, model: ctx.model };
  if (!req.stream) {
    const message =
      decision.kind === 'tool'
        ? {
            role: 'assistant',
            content: null,
            refusal: null,
            annotations: [],
            tool_calls: [
              {
                id: callId,
                type: 'function',
                function: { name: decision.name, arguments: decision.argumentsJson },
              },
            ],
          }
        : decision.kind === 'refusal'
          ? { role: 'assistant', content: null, refusal: decision.text, annotations: [] }
          : { role: 'assistant', content: decision.text, refusal: null, annotations: [] };
    return {
      kind: 'json',
      body: {
        ...base,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage: usage(ctx),
        service_tier: 'default',
        system_fingerprint: 'fp_local_model',
      },
    };
  }
  const options = isRecord(req.body.stream_options) ? req.body.stream_options : {};
  const includeUsage = options.include_usage === true;
  const chunkBase = {
    id,
    object: 'chat.completion.chunk',
    created,
    model: ctx.model,
    service_tier: 'default',
    system_fingerprint: 'fp_local_model',
  };
  const chunk = (delta: unknown, finishReason: string | null = null) => ({
    ...chunkBase,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const deltas: unknown[] = [];
  if (decision.kind === 'tool') {
    deltas.push(
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            index: 0,
            id: callId,
            type: 'function',
            function: { name: decision.name, arguments: '' },
          },
        ],
      }),
    );
    for (const part of splitJson(decision.argumentsJson)) {
      deltas.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
    }
  } else if (decision.kind === 'refusal') {
    deltas.push(chunk({ role: 'assistant', content: null, refusal: '' }));
    for (const part of pieces(decision.text)) deltas.push(chunk({ refusal: part }));
  } else {
    deltas.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const part of pieces(decision.text)) deltas.push(chunk({ content: part }));
  }
  deltas.push(chunk({}, finish));
  if (includeUsage) deltas.push({ ...chunkBase, choices: [], usage: usage(ctx) });
  const events: SseEvent[] = deltas.map((d) => ({ data: JSON.stringify(d) }));
  events.push({ data: '[DONE]' });
  return { kind: 'sse', events };
}

/** Splits a JSON string into a few deterministic pieces for argument deltas. */
export function splitJson(json: string): string[] {
  if (json.length <= 8) return [json];
  const size = Math.ceil(json.length / 3);
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out;
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`). */
export const openaiChat: Protocol = { parse, render, error: openaiError };
