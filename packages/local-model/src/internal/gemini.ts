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
} from './protocol.js';

function partsOf(content: unknown): Record<string, unknown>[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!isRecord(content) || !Array.isArray(content.parts)) return [];
  return content.parts.filter(isRecord);
}

function textOfParts(parts: Record<string, unknown>[]): string {
  return parts
    .flatMap((p) => (typeof p.text === 'string' && p.thought !== true ? [p.text] : []))
    .join('\n');
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new BadRequestError('tools must be a list');
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (!isRecord(tool) || !Array.isArray(tool.functionDeclarations)) continue;
    for (const fn of tool.functionDeclarations) {
      if (!isRecord(fn) || typeof fn.name !== 'string') {
        throw new BadRequestError('function declaration without a name');
      }
      out.push({
        name: fn.name,
        description: typeof fn.description === 'string' ? fn.description : '',
        parameters: fn.parametersJsonSchema ?? fn.parameters,
      });
    }
  }
  return out;
}

function parseToolChoice(config: unknown): ToolChoice {
  if (!isRecord(config) || !isRecord(config.functionCallingConfig)) return { mode: 'auto' };
  const fcc = config.functionCallingConfig;
  const mode = typeof fcc.mode === 'string' ? fcc.mode.toUpperCase() : 'AUTO';
  const allowed = Array.isArray(fcc.allowedFunctionNames)
    ? fcc.allowedFunctionNames.filter((n): n is string => typeof n === 'string')
    : undefined;
  if (mode === 'NONE') return { mode: 'none' };
  if (mode === 'ANY') {
    if (allowed?.length === 1 && allowed[0]) return { mode: 'tool', name: allowed[0] };
    return allowed ? { mode: 'required', allowed } : { mode: 'required' };
  }
  return { mode: 'auto' };
}

function outputSchema(config: unknown): unknown {
  if (!isRecord(config)) return undefined;
  if (config.responseJsonSchema !== undefined) return config.responseJsonSchema;
  if (config.responseSchema !== undefined) return config.responseSchema;
  if (config.responseMimeType === 'application/json') return {};
  return undefined;
}

function resultText(response: unknown): string {
  if (isRecord(response)) {
    const keys = Object.keys(response);
    const only = keys.length === 1 && keys[0] !== undefined ? response[keys[0]] : undefined;
    if (typeof only === 'string') return only;
  }
  return typeof response === 'string' ? response : JSON.stringify(response ?? null);
}

/**
 * A `functionCall` / `functionResponse` part must name its function, as the real API checks
 * (`functionCall: {}` is a 400 there, not a call of nothing).
 */
function checkCallParts(content: Record<string, unknown>, i: number): void {
  if (!Array.isArray(content.parts)) return;
  content.parts.forEach((part, j) => {
    if (!isRecord(part)) return;
    for (const [key, field] of [
      ['functionCall', 'function_call'],
      ['functionResponse', 'function_response'],
    ] as const) {
      if (part[key] === undefined) continue;
      const value = part[key];
      const name = isRecord(value) ? value.name : undefined;
      if (typeof name !== 'string' || name.trim() === '') {
        throw new BadRequestError(
          `* GenerateContentRequest.contents[${i}].parts[${j}].${field}.name: Name cannot be empty.`,
        );
      }
    }
  });
}

function parse(
  body: Record<string, unknown>,
  route: { model?: string; stream?: boolean },
): ParsedRequest {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new BadRequestError('* GenerateContentRequest.contents: contents is not specified');
  }
  const system = textOfParts(partsOf(body.systemInstruction ?? body.system_instruction));
  const userTexts: string[] = [];
  const inputs: string[] = [system];
  let toolResults: ToolResult[] = [];
  contents.forEach((content, i) => {
    if (!isRecord(content)) throw new BadRequestError(`contents[${i}] must be an object`);
    checkCallParts(content, i);
    const parts = partsOf(content);
    const text = textOfParts(parts);
    if (text !== '') inputs.push(text);
    if (content.role !== 'model' && text !== '') {
      userTexts.push(text);
      toolResults = [];
    }
    for (const part of parts) {
      if (isRecord(part.functionCall)) {
        inputs.push(
          `${String(part.functionCall.name)} ${JSON.stringify(part.functionCall.args ?? {})}`,
        );
      }
      if (isRecord(part.functionResponse)) {
        const fr = part.functionResponse;
        const content = resultText(fr.response);
        inputs.push(content);
        toolResults.push({ name: typeof fr.name === 'string' ? fr.name : undefined, content });
      }
    }
  });
  return {
    model: (route.model ?? '').replace(/^models\//, ''),
    stream: route.stream === true,
    body,
    conversation: {
      system,
      userTexts,
      toolResults,
      tools: parseTools(body.tools),
      toolChoice: parseToolChoice(body.toolConfig ?? body.tool_config),
      outputSchema: outputSchema(body.generationConfig ?? body.generation_config),
      inputText: inputs.join('\n'),
    },
  };
}

function render(req: ParsedRequest, decision: Decision, ctx: RenderContext): Rendered {
  const usageMetadata = {
    promptTokenCount: ctx.usage.input,
    candidatesTokenCount: ctx.usage.output,
    totalTokenCount: ctx.usage.input + ctx.usage.output,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: ctx.usage.input }],
  };
  const base = { modelVersion: ctx.model, responseId: ctx.hash.slice(0, 22) };
  const candidate = (parts: unknown[], finishReason?: string) => ({
    content: { role: 'model', parts },
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  });
  const fullParts =
    decision.kind === 'tool'
      ? [{ functionCall: { name: decision.name, args: decision.arguments } }]
      : [{ text: decision.text }];
  if (!req.stream) {
    return {
      kind: 'json',
      body: { candidates: [candidate(fullParts, 'STOP')], usageMetadata, ...base },
    };
  }
  const chunks: unknown[] = [];
  if (decision.kind === 'tool') {
    chunks.push({ candidates: [candidate(fullParts, 'STOP')], usageMetadata, ...base });
  } else {
    const split = pieces(decision.text);
    split.forEach((text, i) => {
      const last = i === split.length - 1;
      chunks.push({
        candidates: [candidate([{ text }], last ? 'STOP' : undefined)],
        ...(last ? { usageMetadata } : {}),
        ...base,
      });
    });
  }
  return { kind: 'sse', events: chunks.map((c) => ({ data: JSON.stringify(c) })) };
}

function error(kind: ErrorKind, message: string): unknown {
  const map: Record<ErrorKind, [number, string]> = {
    'bad-request': [400, 'INVALID_ARGUMENT'],
    'too-large': [413, 'INVALID_ARGUMENT'],
    'not-found': [404, 'NOT_FOUND'],
    'rate-limit': [429, 'RESOURCE_EXHAUSTED'],
    'server-error': [500, 'INTERNAL'],
    unauthenticated: [401, 'UNAUTHENTICATED'],
    overloaded: [503, 'UNAVAILABLE'],
  };
  const [code, status] = map[kind];
  return { error: { code, message, status } };
}

/**
 * Gemini `generateContent` / `streamGenerateContent` under `/v1beta/models/{model}` and
 * `/v1/models/{model}`.
 */
export const gemini: Protocol = { parse, render, error, sseSeparator: '\r\n\r\n' };
