import { splitJson } from './openai-chat.js';
import type { Decision, ToolChoice, ToolResult, ToolSpec } from './policy.js';
import { pieces } from './policy.js';
import {
  BadRequestError,
  checkOpenaiContent,
  isRecord,
  openaiError,
  type ParsedRequest,
  type Protocol,
  type RenderContext,
  type Rendered,
  type SseEvent,
  textOfContent,
} from './protocol.js';
import { timestampFrom } from './text.js';

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new BadRequestError("'tools' must be an array", 'tools');
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (!isRecord(tool) || tool.type !== 'function') continue;
    if (typeof tool.name !== 'string') throw new BadRequestError('tool without a name', 'tools');
    out.push({
      name: tool.name,
      description: typeof tool.description === 'string' ? tool.description : '',
      parameters: tool.parameters,
    });
  }
  return out;
}

function parseToolChoice(choice: unknown): ToolChoice {
  if (choice === 'none') return { mode: 'none' };
  if (choice === 'required') return { mode: 'required' };
  if (isRecord(choice) && choice.type === 'function' && typeof choice.name === 'string') {
    return { mode: 'tool', name: choice.name };
  }
  if (isRecord(choice) && choice.type === 'allowed_tools' && Array.isArray(choice.tools)) {
    const allowed = choice.tools.flatMap((t) =>
      isRecord(t) && typeof t.name === 'string' ? [t.name] : [],
    );
    return { mode: 'required', allowed };
  }
  return { mode: 'auto' };
}

function outputSchema(text: unknown): unknown {
  if (!isRecord(text) || !isRecord(text.format)) return undefined;
  if (text.format.type === 'json_schema') return text.format.schema ?? {};
  if (text.format.type === 'json_object') return {};
  return undefined;
}

function outputText(output: unknown): string {
  return typeof output === 'string' ? output : textOfContent(output);
}

function parse(body: Record<string, unknown>): ParsedRequest {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new BadRequestError('you must provide a model parameter', 'model');
  }
  const input = body.input;
  if (typeof input !== 'string' && !Array.isArray(input)) {
    throw new BadRequestError("'input' must be a string or an array of items", 'input');
  }
  const system: string[] = typeof body.instructions === 'string' ? [body.instructions] : [];
  const userTexts: string[] = [];
  const inputs: string[] = [...system];
  const callNames = new Map<string, string>();
  let toolResults: ToolResult[] = [];
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  items.forEach((item, i) => {
    if (!isRecord(item)) throw new BadRequestError(`input[${i}] must be an object`, `input[${i}]`);
    const type = item.type ?? 'message';
    if (type === 'message') {
      checkOpenaiContent(item.content, `input[${i}].content`);
      const text = textOfContent(item.content);
      inputs.push(text);
      if (item.role === 'system' || item.role === 'developer') system.push(text);
      else if (item.role === 'user') {
        userTexts.push(text);
        toolResults = [];
      }
    } else if (type === 'function_call') {
      const name = typeof item.name === 'string' ? item.name : '';
      if (typeof item.call_id === 'string') callNames.set(item.call_id, name);
      inputs.push(`${name} ${String(item.arguments ?? '')}`);
    } else if (type === 'function_call_output') {
      const text = outputText(item.output);
      inputs.push(text);
      const id = typeof item.call_id === 'string' ? item.call_id : '';
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
      outputSchema: outputSchema(body.text),
      inputText: inputs.join('\n'),
    },
  };
}

type Item = Record<string, unknown>;

function render(req: ParsedRequest, decision: Decision, ctx: RenderContext): Rendered {
  const h = ctx.hash;
  const id = `resp_${h.slice(0, 48)}`;
  const itemId = decision.kind === 'tool' ? `fc_${h.slice(8, 56)}` : `msg_${h.slice(8, 56)}`;
  const callId = `call_${h.slice(29, 53)}`;
  const created = timestampFrom(h);
  const body = req.body;
  const usage = {
    input_tokens: ctx.usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: ctx.usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: ctx.usage.input + ctx.usage.output,
  };
  const response = (status: string, output: Item[], withUsage: boolean) => ({
    id,
    object: 'response',
    created_at: created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: ctx.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: withUsage ? usage : null,
    user: null,
    metadata: body.metadata ?? {},
  });
  const part =
    decision.kind === 'refusal'
      ? { type: 'refusal', refusal: decision.text }
      : {
          type: 'output_text',
          text: decision.kind === 'text' ? decision.text : '',
          annotations: [],
          logprobs: [],
        };
  const doneItem: Item =
    decision.kind === 'tool'
      ? {
          id: itemId,
          type: 'function_call',
          status: 'completed',
          arguments: decision.argumentsJson,
          call_id: callId,
          name: decision.name,
        }
      : { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
  if (!req.stream) return { kind: 'json', body: response('completed', [doneItem], true) };

  const events: Item[] = [];
  events.push({ type: 'response.created', response: response('in_progress', [], false) });
  events.push({ type: 'response.in_progress', response: response('in_progress', [], false) });
  const loc = { item_id: itemId, output_index: 0 };
  if (decision.kind === 'tool') {
    events.push({
      type: 'response.output_item.added',
      output_index: 0,
      item: { ...doneItem, status: 'in_progress', arguments: '' },
    });
    for (const delta of splitJson(decision.argumentsJson)) {
      events.push({ type: 'response.function_call_arguments.delta', ...loc, delta });
    }
    events.push({
      type: 'response.function_call_arguments.done',
      ...loc,
      name: decision.name,
      arguments: decision.argumentsJson,
    });
  } else {
    const refusal = decision.kind === 'refusal';
    const emptyPart = refusal
      ? { type: 'refusal', refusal: '' }
      : { type: 'output_text', text: '', annotations: [], logprobs: [] };
    events.push({
      type: 'response.output_item.added',
      output_index: 0,
      item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    });
    events.push({ type: 'response.content_part.added', ...loc, content_index: 0, part: emptyPart });
    for (const delta of pieces(decision.text)) {
      events.push(
        refusal
          ? { type: 'response.refusal.delta', ...loc, content_index: 0, delta }
          : { type: 'response.output_text.delta', ...loc, content_index: 0, delta, logprobs: [] },
      );
    }
    events.push(
      refusal
        ? { type: 'response.refusal.done', ...loc, content_index: 0, refusal: decision.text }
        : {
            type: 'response.output_text.done',
            ...loc,
            content_index: 0,
            text: decision.text,
            logprobs: [],
          },
    );
    events.push({ type: 'response.content_part.done', ...loc, content_index: 0, part });
  }
  events.push({ type: 'response.output_item.done', output_index: 0, item: doneItem });
  events.push({ type: 'response.completed', response: response('completed', [doneItem], true) });
  const sse: SseEvent[] = events.map((e, i) => ({
    event: String(e.type),
    data: JSON.stringify({ ...e, sequence_number: i }),
  }));
  return { kind: 'sse', events: sse };
}

/** OpenAI Responses API (`POST /v1/responses`). */
export const openaiResponses: Protocol = { parse, render, error: openaiError };
