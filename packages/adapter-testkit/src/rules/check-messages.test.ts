import { describe, expect, it } from 'vitest';
import { checkMessages } from './check-messages.js';
import type { ConformanceSpan } from './finding.js';

const T = 'a'.repeat(32);
const AGENT = '00000000000000a1';
let next = 0;

function span(
  operation: string,
  attributes: Record<string, unknown>,
  extra: Partial<ConformanceSpan> = {},
): ConformanceSpan {
  next += 1;
  return {
    traceId: T,
    spanId: next.toString(16).padStart(16, '0'),
    parentSpanId: AGENT,
    name:
      operation === 'execute_tool' ? `execute_tool ${attributes['gen_ai.tool.name']}` : 'chat m',
    attributes: { 'gen_ai.operation.name': operation, ...attributes },
    status: { code: 0, message: '' },
    ...extra,
  };
}

const json = (value: unknown) => JSON.stringify(value);
const call = { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } };
const user = { role: 'user', content: 'Tell me about Voyager 1.' };
const asked = { role: 'assistant', content: '', tool_calls: [call] };
const answered = { role: 'tool', content: 'Voyager facts', tool_call_id: 'call_1' };
const llm = (input: unknown[], output: unknown[], extra: Partial<ConformanceSpan> = {}) =>
  span(
    'chat',
    { 'gen_ai.input.messages': json(input), 'gen_ai.output.messages': json(output) },
    extra,
  );
const tool = (extra: Partial<ConformanceSpan> = {}) =>
  span('execute_tool', { 'gen_ai.tool.name': 'lookup' }, extra);
/** An llm span whose output is `messages`, checked alone: its first problem, if any. */
const problem = (messages: unknown) =>
  checkMessages([
    span('chat', { 'gen_ai.input.messages': json([user]), 'gen_ai.output.messages': messages }),
  ])[0]?.message;

describe('checkMessages: the shape of every message', () => {
  it('accepts the one message model, with a tool call answered by its id', () => {
    const spans = [
      span('invoke_agent', {
        'gen_ai.input.messages': json([user]),
        'gen_ai.output.messages': json([{ role: 'assistant', content: 'Done.' }]),
      }),
      llm([user], [asked]),
      tool(),
      llm([user, asked, answered], [{ role: 'assistant', content: 'Done.' }]),
      // a workflow, checked like the others
      span('', { 'gen_ai.input.messages': json([{ role: 'system', content: '' }]) }),
      // structured content as JSON text that is not a tool call is fine
      llm(
        [{ role: 'user', content: json([{ type: 'text', text: 'hi' }]) }],
        [{ role: 'assistant', content: json({ facts: ['launched 1977'], name: 'Voyager' }) }],
      ),
    ];
    expect(checkMessages(spans)).toEqual([]);
  });

  it("leaves retriever output (Galileo's documents shape) and tool spans alone", () => {
    const retriever = {
      ...span('', {
        'db.operation': 'search',
        'gen_ai.output.messages': json([{ role: 'assistant', content: { documents: [] } }]),
      }),
    };
    const toolWithMessages = span('execute_tool', {
      'gen_ai.tool.name': 'lookup',
      'gen_ai.input.messages': json({ q: 1 }),
    });
    expect(checkMessages([retriever, toolWithMessages])).toEqual([]);
  });

  it('names the span, the attribute, the problem and the fix', () => {
    const bad = span('chat', {
      'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: 'x' }] }]),
    });
    expect(checkMessages([bad])).toEqual([
      {
        rule: 'messages',
        spanId: bad.spanId,
        message: `llm span \`chat m\` (id ${bad.spanId}, parent ${AGENT}) should carry \`gen_ai.input.messages\` as a JSON array of {role, content} with \`content\` a string; item 0 (role user) has \`parts\`; a message has \`role\` and \`content\` and may add only \`tool_calls\` and \`tool_call_id\`. Build messages as \`{ role, content }\` (plus \`tool_calls\` from \`toolCall()\` and \`tool_call_id\`) and serialise them with \`messagesJson()\` from \`@galileo-otel/core/adapter\`.`,
      },
    ]);
  });

  it.each([
    ['an attribute array', ['a'], 'it is a attribute array, not JSON text'],
    ['a number', 3, 'it is a number, not JSON text'],
    ['text that is not JSON', 'hello', 'it is not valid JSON. Saw hello'],
    ['an object', json(user), 'it parses to object, not an array'],
    ['an empty array', '[]', 'it is an empty array'],
    ['a string item', json(['hi']), 'item 0 is hi, not an object'],
    ['an item without role', json([{ content: 'x' }]), 'item 0 has no non-empty string `role`'],
    ['an empty role', json([{ role: '', content: 'x' }]), 'item 0 has no non-empty string `role`'],
    ['an extra key', json([{ ...user, name: 'bob' }]), 'item 0 (role user) has `name`; a message'],
    ['no content', json([{ role: 'user' }]), 'item 0 (role user) has no `content`'],
    [
      'content that is an object',
      json([{ role: 'user', content: { text: 'x' } }]),
      'item 0 (role user) has `content` {"text":"x"}, not a string',
    ],
    ['null content', json([{ role: 'user', content: null }]), 'has `content` null, not a string'],
  ])('flags messages given as %s', (_what, value, says) => {
    expect(problem(value)).toContain(says);
  });

  it.each([
    [
      'AI SDK / Mastra tool-call parts',
      [{ type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', args: { q: 1 } }],
      '`toolCallId`',
    ],
    [
      'an OpenAI Agents tool_call item',
      [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{}' }],
      '`type: "tool_call"`',
    ],
    ['a bare function', [{ name: 'lookup', arguments: '{}' }], '`name` with `arguments`'],
    ['a legacy function_call', { function_call: { name: 'lookup' } }, '`function_call`'],
    ['a whole chat message', { role: 'assistant', tool_calls: [call] }, '`tool_calls`'],
    ['a Gemini part', [{ functionCall: { name: 'lookup', args: {} } }], '`functionCall`'],
    ['a tool result part', [{ type: 'tool-result', result: 'x' }], '`type: "tool-result"`'],
  ])('flags a tool call JSON-encoded in content: %s', (_what, content, signal) => {
    const message = problem(json([{ role: 'assistant', content: json(content) }]));
    expect(message).toContain(
      `item 0 (role assistant) has a tool call JSON-encoded in \`content\` (it has ${signal})`,
    );
    expect(message).toContain("Put the model's calls on the assistant message as `tool_calls`");
  });

  const withCall = (c: unknown) => json([{ role: 'assistant', content: '', tool_calls: [c] }]);
  it.each([
    [
      'on a user message',
      json([{ ...user, tool_calls: [call] }]),
      'item 0 (role user) has `tool_calls`; only an assistant message may',
    ],
    [
      'as an empty array',
      json([{ role: 'assistant', content: '', tool_calls: [] }]),
      'has `tool_calls` []; leave it out, or give a non-empty array',
    ],
    [
      'without an id',
      withCall({ type: 'function', function: call.function }),
      'has `tool_calls[0]` {"type":"function","function":{"name":"lookup","arguments":"{\\"q\\":1}"}}: it must have exactly `id`, `type` and `function`',
    ],
    ['with an empty id', withCall({ ...call, id: '' }), '`id` must be a non-empty string'],
    ['with another type', withCall({ ...call, type: 'tool' }), '`type` must be "function"'],
    [
      'with an extra key',
      withCall({ ...call, index: 0 }),
      'it must have exactly `id`, `type` and `function`',
    ],
    [
      'with arguments as an object',
      withCall({ ...call, function: { name: 'lookup', arguments: { q: 1 } } }),
      '`function.arguments` must be JSON text',
    ],
    [
      'with arguments that are not JSON',
      withCall({ ...call, function: { name: 'lookup', arguments: 'q=1' } }),
      '`function.arguments` must be JSON text (`"{}"` for none)',
    ],
    [
      'with no name',
      withCall({ ...call, function: { name: '', arguments: '{}' } }),
      '`function.name` must be non-empty',
    ],
    [
      'with an extra function key',
      withCall({ ...call, function: { ...call.function, strict: true } }),
      '`function` must have exactly `name` and `arguments`',
    ],
  ])('flags tool_calls %s', (_what, value, says) => {
    expect(problem(value)).toContain(says);
  });

  it('wants tool_call_id only on a tool message, as a non-empty string', () => {
    expect(problem(json([{ role: 'assistant', content: 'x', tool_call_id: 'c1' }]))).toContain(
      'item 0 (role assistant) has `tool_call_id`; only a tool message may',
    );
    expect(problem(json([{ role: 'tool', content: 'x', tool_call_id: '' }]))).toContain(
      'item 0 (role tool) has `tool_call_id` , not a non-empty string',
    );
    expect(problem(json([{ role: 'tool', content: 'x' }]))).toBeUndefined();
  });
});

describe('checkMessages: the tool-call chain', () => {
  it('wants the model call before a tool span to ask for that tool in tool_calls', () => {
    const asker = llm([user], [{ role: 'assistant', content: 'I will look it up.' }]);
    const ran = tool();
    const findings = checkMessages([asker, ran]);
    expect(findings.map((f) => [f.spanId, f.message])).toEqual([
      [
        asker.spanId,
        expect.stringContaining(
          `is the model call before tool span \`execute_tool lookup\` (id ${ran.spanId}), so its \`gen_ai.output.messages\` should hold an assistant message whose \`tool_calls\` name \`lookup\` with the call's id; saw messages assistant. Put the calls`,
        ),
      ],
    ]);
  });

  it('says when the asking model call has no output at all', () => {
    const asker = span('chat', { 'gen_ai.input.messages': json([user]) });
    expect(checkMessages([asker, tool()])[0]?.message).toContain('saw no output messages.');
  });

  it('wants the next model call to answer the call id with a tool message', () => {
    const first = llm([user], [asked]);
    const unanswered = { role: 'tool', content: 'Voyager facts' };
    const second = llm([user, asked, unanswered], [{ role: 'assistant', content: 'Done.' }]);
    const findings = checkMessages([first, tool(), second]);
    expect(findings).toEqual([
      {
        rule: 'messages',
        spanId: second.spanId,
        message: `llm span \`chat m\` (id ${second.spanId}, parent ${AGENT}) is the model call after llm span \`chat m\` (id ${first.spanId}, parent ${AGENT}) asked for \`lookup\` with call id \`call_1\`, so its \`gen_ai.input.messages\` should hold a \`tool\` message with \`tool_call_id\` "call_1" answering it; saw messages user, assistant (tool_calls lookup#call_1), tool (no tool_call_id). Keep the framework's call id on the tool message (\`{ role: 'tool', content, tool_call_id }\`) and serialise with \`messagesJson()\` from \`@galileo-otel/core/adapter\`.`,
      },
    ]);
    const wrongId = llm([user, asked, { ...answered, tool_call_id: 'call_2' }], [asked]);
    expect(checkMessages([first, tool(), wrongId])[0]?.message).toContain(
      'saw messages user, assistant (tool_calls lookup#call_1), tool (tool_call_id call_2).',
    );
  });

  it('asks nothing of the next model call when the run has none', () => {
    expect(checkMessages([llm([user], [asked]), tool()])).toEqual([]);
  });

  it('orders the calls by start time, not by the order the spans arrived in', () => {
    const at = (n: number) => ({ startTimeUnixNano: BigInt(n) });
    const first = llm([user], [asked], at(100));
    const second = llm([user, asked], [{ role: 'assistant', content: 'Done.' }], at(300));
    // On the wire spans arrive as they end: the tool and the first call before the second.
    const findings = checkMessages([tool(at(200)), second, first]);
    expect(findings.map((f) => f.spanId)).toEqual([second.spanId]);
    // Answered properly, the same order of arrival passes; read in arrival order instead of
    // by start time, the answer would look like the call that asked for the tool.
    const answeredSecond = llm([user, asked, answered], [{ role: 'assistant', content: 'ok' }]);
    const arrived = [{ ...answeredSecond, ...at(300) }, tool(at(200)), first];
    expect(checkMessages(arrived)).toEqual([]);
    const untimed = arrived.map((s) => ({ ...s, startTimeUnixNano: undefined }));
    expect(checkMessages(untimed)[0]?.message).toContain(
      'is the model call before tool span `execute_tool lookup`',
    );
  });

  it('keeps runs apart: the chain is followed within each trace', () => {
    const other = { traceId: 'b'.repeat(32) };
    const findings = checkMessages([
      llm([user], [asked]),
      tool(),
      llm([user], [{ role: 'assistant', content: 'unrelated run' }], other),
    ]);
    expect(findings).toEqual([]);
  });

  it('reports a message already broken once, not again in the chain', () => {
    const blob = llm([user], [{ role: 'assistant', content: json([{ toolName: 'lookup' }]) }]);
    const findings = checkMessages([blob, tool()]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('has a tool call JSON-encoded in `content`');
  });

  it('does not expect a call from a model call that failed', () => {
    const failed = span(
      'chat',
      { 'gen_ai.input.messages': json([user]) },
      { status: { code: 2, message: '500' } },
    );
    expect(checkMessages([failed, tool()])).toEqual([]);
  });
});
