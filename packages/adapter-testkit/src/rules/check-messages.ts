import { galileoKind } from '@galileo-otel/core';
import { GenAiAttributes, isRecord } from '@galileo-otel/core/adapter';
import { toolName, traceGroups } from '../internal/span-order.js';
import { preview, spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

const INPUT = GenAiAttributes.INPUT_MESSAGES;
const OUTPUT = GenAiAttributes.OUTPUT_MESSAGES;
const KINDS = new Set(['llm', 'agent', 'workflow']);
const MESSAGE_KEYS = new Set(['role', 'content', 'tool_calls', 'tool_call_id']);
const FIX =
  'Build messages as `{ role, content }` (plus `tool_calls` from `toolCall()` and `tool_call_id`) and serialise them with `messagesJson()` from `@galileo-otel/core/adapter`.';

/** A message that passed the shape check. */
interface Message {
  role: string;
  content: string;
  tool_calls?: { id: string; function: { name: string } }[];
  tool_call_id?: string;
}

type Parsed = { messages: Message[] } | { problem: string };

/**
 * Checks the one message model on llm, agent and workflow spans (retriever spans keep
 * Galileo's documents shape): every `gen_ai.input.messages` / `gen_ai.output.messages` is a JSON
 * array of `{role, content}` with `content` a string, plus `tool_calls` (assistant only, each
 * `{id, type: "function", function: {name, arguments}}` with `arguments` JSON text) and
 * `tool_call_id` (tool only), and no other keys; a tool call JSON-encoded inside `content` is a
 * finding. Where a tool span ran, the model call before it must have asked for that tool in
 * its output's `tool_calls` with an id, and the next model call of the trace must get a `tool`
 * message answering that id.
 */
export function checkMessages(spans: readonly ConformanceSpan[]): Finding[] {
  const findings: Finding[] = [];
  const parsed = new Map<ConformanceSpan, { input?: Parsed; output?: Parsed }>();
  for (const span of spans) {
    if (!KINDS.has(galileoKind(span))) continue;
    const entry: { input?: Parsed; output?: Parsed } = {};
    for (const key of [INPUT, OUTPUT] as const) {
      const value = span.attributes[key];
      if (value === undefined) continue;
      const result = parseMessages(value);
      entry[key === INPUT ? 'input' : 'output'] = result;
      if ('problem' in result) {
        findings.push({
          rule: 'messages',
          spanId: span.spanId,
          message: `${spanRef(span)} should carry \`${key}\` as a JSON array of {role, content} with \`content\` a string; ${result.problem}. ${FIX}`,
        });
      }
    }
    parsed.set(span, entry);
  }
  const messagesOf = (span: ConformanceSpan, side: 'input' | 'output') => {
    const result = parsed.get(span)?.[side];
    return result && 'messages' in result ? result.messages : undefined;
  };
  for (const ordered of traceGroups(spans)) {
    const llms = ordered.filter((s) => galileoKind(s) === 'llm');
    const asked = new Set<string>();
    for (const tool of ordered.filter((s) => galileoKind(s) === 'tool')) {
      const name = toolName(tool);
      const at = ordered.indexOf(tool);
      const asker = llms.filter((s) => ordered.indexOf(s) < at).at(-1);
      if (!asker || asker.status.code === 2 || asked.has(`${asker.spanId} ${name}`)) continue;
      asked.add(`${asker.spanId} ${name}`);
      const output = messagesOf(asker, 'output');
      // A value that failed the shape check has its finding already.
      if (!output && asker.attributes[OUTPUT] !== undefined) continue;
      const call = output
        ?.filter((m) => m.role === 'assistant')
        .flatMap((m) => m.tool_calls ?? [])
        .find((c) => c.function.name === name);
      if (!call) {
        findings.push({
          rule: 'messages',
          spanId: asker.spanId,
          message: `${spanRef(asker)} is the model call before tool span \`${tool.name}\` (id ${tool.spanId}), so its \`${OUTPUT}\` should hold an assistant message whose \`tool_calls\` name \`${name}\` with the call's id; saw ${output ? describe(output) : 'no output messages'}. Put the calls the model asked for on the assistant message as \`tool_calls\` built with \`toolCall({ id, name, arguments })\` and serialise with \`messagesJson()\` from \`@galileo-otel/core/adapter\`.`,
        });
        continue;
      }
      const next = llms[llms.indexOf(asker) + 1];
      if (!next) continue;
      const input = messagesOf(next, 'input');
      if (!input && next.attributes[INPUT] !== undefined) continue;
      if (input?.some((m) => m.role === 'tool' && m.tool_call_id === call.id)) continue;
      findings.push({
        rule: 'messages',
        spanId: next.spanId,
        message: `${spanRef(next)} is the model call after ${spanRef(asker)} asked for \`${name}\` with call id \`${call.id}\`, so its \`${INPUT}\` should hold a \`tool\` message with \`tool_call_id\` "${call.id}" answering it; saw ${input ? describe(input) : 'no input messages'}. Keep the framework's call id on the tool message (\`{ role: 'tool', content, tool_call_id }\`) and serialise with \`messagesJson()\` from \`@galileo-otel/core/adapter\`.`,
      });
    }
  }
  return findings;
}

/** `user, assistant (tool_calls lookup_facts#call_1), tool (tool_call_id call_1)` */
function describe(messages: readonly Message[]): string {
  if (messages.length === 0) return 'an empty array';
  return `messages ${messages
    .map((m) => {
      if (m.tool_calls) {
        const calls = m.tool_calls.map((c) => `${c.function.name}#${c.id}`).join(', ');
        return `${m.role} (tool_calls ${calls})`;
      }
      if (m.role === 'tool') {
        return m.tool_call_id ? `tool (tool_call_id ${m.tool_call_id})` : 'tool (no tool_call_id)';
      }
      return m.role;
    })
    .join(', ')}`;
}

function parseMessages(value: unknown): Parsed {
  if (typeof value !== 'string') {
    return {
      problem: `it is a ${Array.isArray(value) ? 'attribute array' : typeof value}, not JSON text`,
    };
  }
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    return { problem: `it is not valid JSON. Saw ${preview(value)}` };
  }
  if (!Array.isArray(list)) {
    return {
      problem: `it parses to ${list === null ? 'null' : typeof list}, not an array. Saw ${preview(value)}`,
    };
  }
  if (list.length === 0) return { problem: 'it is an empty array' };
  for (const [i, item] of list.entries()) {
    const problem = messageProblem(item);
    if (problem) return { problem: `item ${i} ${problem}` };
  }
  return { messages: list as Message[] };
}

function messageProblem(item: unknown): string | undefined {
  if (!isRecord(item)) return `is ${preview(item)}, not an object`;
  const { role, content, tool_calls: calls, tool_call_id: callId } = item;
  if (typeof role !== 'string' || role === '') return 'has no non-empty string `role`';
  const of = `(role ${role})`;
  const extra = Object.keys(item).filter((k) => !MESSAGE_KEYS.has(k));
  if (extra.length > 0) {
    return `${of} has ${extra.map((k) => `\`${k}\``).join(', ')}; a message has \`role\` and \`content\` and may add only \`tool_calls\` and \`tool_call_id\``;
  }
  if (!('content' in item)) return `${of} has no \`content\``;
  if (typeof content !== 'string') {
    return `${of} has \`content\` ${preview(content)}, not a string (structured content goes in as JSON text)`;
  }
  const signal = toolCallSignal(parseJson(content));
  if (signal) {
    return `${of} has a tool call JSON-encoded in \`content\` (it has ${signal}): ${preview(content)}. Put the model's calls on the assistant message as \`tool_calls\` (\`{id, type: "function", function: {name, arguments}}\`) and the answer on a \`tool\` message with \`tool_call_id\`, never as JSON text in \`content\``;
  }
  if (calls !== undefined) {
    if (role !== 'assistant') return `${of} has \`tool_calls\`; only an assistant message may`;
    if (!Array.isArray(calls) || calls.length === 0) {
      return `${of} has \`tool_calls\` ${preview(calls)}; leave it out, or give a non-empty array`;
    }
    for (const [j, call] of calls.entries()) {
      const problem = toolCallProblem(call);
      if (problem) return `${of} has \`tool_calls[${j}]\` ${preview(call)}: ${problem}`;
    }
  }
  if (callId !== undefined) {
    if (role !== 'tool') return `${of} has \`tool_call_id\`; only a tool message may`;
    if (typeof callId !== 'string' || callId === '') {
      return `${of} has \`tool_call_id\` ${preview(callId)}, not a non-empty string`;
    }
  }
  return undefined;
}

function toolCallProblem(call: unknown): string | undefined {
  if (!isRecord(call)) return 'it is not an object';
  const keys = Object.keys(call).sort().join(',');
  if (keys !== 'function,id,type') {
    return 'it must have exactly `id`, `type` and `function`';
  }
  if (typeof call.id !== 'string' || call.id === '') return '`id` must be a non-empty string';
  if (call.type !== 'function') return '`type` must be "function"';
  const fn = call.function;
  if (!isRecord(fn) || Object.keys(fn).sort().join(',') !== 'arguments,name') {
    return '`function` must have exactly `name` and `arguments`';
  }
  if (typeof fn.name !== 'string' || fn.name === '') return '`function.name` must be non-empty';
  if (typeof fn.arguments !== 'string' || parseJson(fn.arguments) === undefined) {
    return '`function.arguments` must be JSON text (`"{}"` for none)';
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Fields by which the frameworks' own tool-call objects (AI SDK / Mastra parts, OpenAI chat and
// Responses items, Gemini parts, Anthropic blocks) give themselves away inside `content`.
const CALL_KEYS = [
  'toolCallId',
  'toolName',
  'tool_calls',
  'toolCalls',
  'tool_call_id',
  'function_call',
  'functionCall',
  'functionResponse',
  'tool_use_id',
];
const CALL_TYPES = new Set([
  'tool-call',
  'tool_call',
  'tool-result',
  'tool_result',
  'function_call',
  'function_call_output',
  'function_call_result',
  'tool_use',
]);

function toolCallSignal(value: unknown, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  const children = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
  if (isRecord(value)) {
    const key = CALL_KEYS.find((k) => k in value);
    if (key) return `\`${key}\``;
    if (typeof value.type === 'string' && CALL_TYPES.has(value.type)) {
      return `\`type: "${value.type}"\``;
    }
    if ('name' in value && ('arguments' in value || 'args' in value)) {
      return '`name` with `arguments`';
    }
  }
  for (const child of children) {
    const signal = toolCallSignal(child, depth + 1);
    if (signal) return signal;
  }
  return undefined;
}
