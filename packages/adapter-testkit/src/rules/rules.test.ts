import { describe, expect, it } from 'vitest';
import { checkAttributeShapes } from './check-attribute-shapes.js';
import { checkErrorShape } from './check-error-shape.js';
import { checkFlush } from './check-flush.js';
import { checkIsolation } from './check-isolation.js';
import { checkModelError } from './check-model-error.js';
import { checkNoOrphans } from './check-no-orphans.js';
import { checkParentage } from './check-parentage.js';
import { checkRedaction } from './check-redaction.js';
import { checkToolError } from './check-tool-error.js';
import { checkToolIo } from './check-tool-io.js';
import { checkTraceparentJoin } from './check-traceparent-join.js';
import type { ConformanceSpan } from './finding.js';

const T = 'a'.repeat(32);
function span(
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  attributes: Record<string, unknown> = {},
  extra: Partial<ConformanceSpan> = {},
): ConformanceSpan {
  return {
    traceId: T,
    spanId,
    parentSpanId,
    name,
    attributes,
    status: { code: 0, message: '' },
    ...extra,
  };
}
const agent = (id: string, parent?: string, topic = 'Voyager 1') =>
  span(id, parent, 'invoke_agent a', {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: `about ${topic}` }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: 'ok' }]),
  });
const tool = (id: string, parent: string) =>
  span(id, parent, 'execute_tool t', {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.call.arguments': '{}',
    'gen_ai.tool.call.result': 'r',
  });

describe('checkNoOrphans', () => {
  it('accepts the remote parent of a joined run and flags any other missing parent', () => {
    const spans = [
      agent('0000000000000001', 'ffffffffffffffff'),
      tool('0000000000000002', '0000000000000009'),
    ];
    const findings = checkNoOrphans(spans, { remoteParentSpanId: 'ffffffffffffffff' });
    expect(findings.map((f) => f.spanId)).toEqual(['0000000000000002']);
    expect(findings[0]?.message).toContain(
      'tool span `execute_tool t` (id 0000000000000002, parent 0000000000000009) is an orphan',
    );
  });
});

describe('checkParentage', () => {
  it('accepts a tool under an llm under the agent, and names the chain of a stray tool', () => {
    const llm = span('0000000000000002', '0000000000000001', 'chat m', {
      'gen_ai.operation.name': 'chat',
    });
    const wrapper = span('0000000000000004', undefined, 'turn');
    const findings = checkParentage([
      agent('0000000000000001'),
      llm,
      tool('0000000000000003', '0000000000000002'),
      wrapper,
      tool('0000000000000005', '0000000000000004'),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('its ancestors are `turn` (workflow)');
  });
});

describe('checkAttributeShapes', () => {
  it('wants usage under both names with equal values', () => {
    const llm = span('0000000000000002', undefined, 'chat m', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.provider.name': 'openai',
      'gen_ai.input.messages': '[{"role":"user","content":"hi"}]',
      'gen_ai.output.messages': '[{"role":"assistant","content":"yo"}]',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.completion_tokens': 3,
    });
    const findings = checkAttributeShapes([llm]);
    expect(findings.map((f) => f.message)).toEqual([
      'llm span `chat m` (id 0000000000000002, root) should carry token usage under both `gen_ai.usage.input_tokens` and `gen_ai.usage.prompt_tokens` (Galileo reads both; `usageAttributes()` writes both); saw gen_ai.usage.input_tokens=12 and gen_ai.usage.prompt_tokens=none.',
    ]);
  });

  it('lets a streamed llm span go without usage, but not with half of it', () => {
    const base = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.provider.name': 'openai',
      'gen_ai.input.messages': '[{"role":"user","content":"hi"}]',
      'gen_ai.output.messages': '[{"role":"assistant","content":"yo"}]',
    };
    const bare = span('0000000000000002', undefined, 'chat m', base);
    expect(checkAttributeShapes([bare], { requireUsage: false })).toEqual([]);
    expect(checkAttributeShapes([bare])).toHaveLength(2);
    const half = span('0000000000000003', undefined, 'chat m', {
      ...base,
      'gen_ai.usage.input_tokens': 5,
    });
    expect(checkAttributeShapes([half], { requireUsage: false })).toHaveLength(1);
  });

  it('lets a failed agent or llm go without output and usage, never without input', () => {
    const failed = { status: { code: 2, message: 'boom' } };
    const findings = checkAttributeShapes([
      span(
        '0000000000000001',
        undefined,
        'invoke_agent a',
        {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.input.messages': '[{"role":"user","content":"x"}]',
        },
        failed,
      ),
      span(
        '0000000000000002',
        '0000000000000001',
        'chat m',
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'm',
          'gen_ai.provider.name': 'openai',
          'gen_ai.input.messages': '[{"role":"user","content":"x"}]',
        },
        failed,
      ),
      span('0000000000000003', '0000000000000001', 'invoke_agent b', {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.output.messages': '[{"role":"assistant","content":"y"}]',
      }),
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'agent span `invoke_agent b` (id 0000000000000003, parent 0000000000000001) should carry `gen_ai.input.messages` (a JSON array of {role, content}); it is missing. Galileo shows agent spans without it as empty. Use `agentAttributes()` or `ioAttributes()` from core.',
    ]);
  });
});

describe('checkToolIo', () => {
  const toolSpan = (attributes: Record<string, unknown>, code = 0) =>
    span(
      '0000000000000002',
      '0000000000000001',
      'execute_tool t',
      { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't', ...attributes },
      { status: { code, message: code === 2 ? 'boom' : '' } },
    );

  it('wants arguments and result on a tool span, and lets only a failed one go without result', () => {
    expect(checkToolIo([tool('0000000000000002', '0000000000000001')])).toEqual([]);
    expect(checkToolIo([toolSpan({ 'gen_ai.tool.call.arguments': '{}' }, 2)])).toEqual([]);
    expect(checkToolIo([toolSpan({ 'gen_ai.tool.call.arguments': '{}' })])).toEqual([
      {
        rule: 'tool-io',
        spanId: '0000000000000002',
        message:
          "tool span `execute_tool t` (id 0000000000000002, parent 0000000000000001) should carry `gen_ai.tool.call.result` (the tool's return value as text); saw gen_ai.tool.call.arguments={} and gen_ai.tool.call.result=none. Galileo shows the tool's input and output from these two; set them with `toolAttributes({ name, arguments, result })` from `@galileo-otel/core/adapter` (the result may be missing only when the tool failed and the span has status ERROR).",
      },
    ]);
  });

  it('wants arguments even on a failed tool span, and counts an empty value as missing', () => {
    const [failed] = checkToolIo([toolSpan({}, 2)]);
    expect(failed?.message).toContain(
      "should carry `gen_ai.tool.call.arguments` (the call's arguments as JSON text, `{}` for none); saw gen_ai.tool.call.arguments=none and gen_ai.tool.call.result=none.",
    );
    const [empty] = checkToolIo([
      toolSpan({ 'gen_ai.tool.call.arguments': '', 'gen_ai.tool.call.result': 'r' }),
    ]);
    expect(empty?.message).toContain('should carry `gen_ai.tool.call.arguments`');
  });
});

describe('checkErrorShape', () => {
  const error = (attributes: Record<string, unknown>, events: ConformanceSpan['events']) =>
    span(
      '0000000000000002',
      '0000000000000001',
      'chat m',
      { 'gen_ai.operation.name': 'chat', ...attributes },
      { status: { code: 2, message: '500 Internal Server Error' }, events },
    );
  const exception = {
    name: 'exception',
    attributes: { 'exception.type': 'InternalServerError', 'exception.message': '500' },
  };

  it('accepts error.type with a full exception event, on any kind of span', () => {
    expect(checkErrorShape([error({ 'error.type': 'InternalServerError' }, [exception])])).toEqual(
      [],
    );
  });

  it('ignores spans that did not fail', () => {
    expect(checkErrorShape([agent('0000000000000001')])).toEqual([]);
  });

  it('names each part of the error shape a failed span lacks', () => {
    const messages = (s: ConformanceSpan) => checkErrorShape([s]).map((f) => f.message);
    expect(messages(error({}, [exception]))).toEqual([
      'llm span `chat m` (id 0000000000000002, parent 0000000000000001) has status ERROR (2) ("500 Internal Server Error"), so it should carry a non-empty `error.type` (the error\'s class) and an `exception` event with `exception.message` and `exception.type`; saw no `error.type`. Call `recordSpanError(span, error)` from `@galileo-otel/core/adapter` where the framework reports the failure (translate style: in `onEnding`, while the span can still change).',
    ]);
    expect(messages(error({ 'error.type': '' }, [exception]))[0]).toContain('saw error.type=.');
    expect(messages(error({ 'error.type': 'E' }, []))[0]).toContain('saw no `exception` event.');
    expect(
      messages(
        error({ 'error.type': 'E' }, [
          { name: 'exception', attributes: { 'exception.message': 'boom' } },
        ]),
      )[0],
    ).toContain(
      'saw an `exception` event without both `exception.message` and `exception.type` (it has exception.message).',
    );
  });
});

describe('checkToolError and checkModelError', () => {
  const failed = { status: { code: 2, message: 'boom' } };
  it('want the failure on a span of the right kind', () => {
    const llm = span('0000000000000002', '0000000000000001', 'chat m', {
      'gen_ai.operation.name': 'chat',
    });
    expect(checkModelError([agent('0000000000000001'), { ...llm, ...failed }])).toEqual([]);
    expect(checkModelError([{ ...agent('0000000000000001'), ...failed }, llm])).toEqual([
      {
        rule: 'model-error',
        spanId: '0000000000000002',
        message:
          'llm span `chat m` (id 0000000000000002, parent 0000000000000001) should have status ERROR (2) because the model call failed (the local model answered 500); saw status UNSET (0). Call `recordSpanError(span, error)` from `@galileo-otel/core/adapter` where the framework reports the failure.',
      },
    ]);
    expect(checkToolError([agent('0000000000000001')])[0]?.message).toBe(
      'expected a tool span with status ERROR (2) because the tool threw; saw no tool span at all (1 spans: `invoke_agent a`).',
    );
  });
});

describe('checkTraceparentJoin', () => {
  it('wants the run under the caller span, in the caller trace', () => {
    const tp = `00-${T}-ffffffffffffffff-01`;
    expect(checkTraceparentJoin([agent('0000000000000001', 'ffffffffffffffff')], tp)).toEqual([]);
    const detached = checkTraceparentJoin([agent('0000000000000001')], tp);
    expect(detached[0]?.message).toContain(
      "should be a child of the caller's span ffffffffffffffff; its parent is none (a new root)",
    );
  });
});

describe('checkRedaction', () => {
  const secret = 'sk-conformance-0123456789abcdef';
  it('finds the secret in a status message and in event attributes', () => {
    const leaky = span(
      '0000000000000001',
      undefined,
      'execute_tool t',
      {},
      {
        status: { code: 2, message: `bad key ${secret}` },
        events: [{ name: 'exception', attributes: { 'exception.message': `bad key ${secret}` } }],
      },
    );
    const [finding] = checkRedaction([leaky], secret);
    expect(finding?.message).toContain(
      'leaks the secret from the user input in its status message, event `exception` attribute `exception.message`',
    );
  });
  it('wants proof the secret reached the spans and was redacted', () => {
    const [finding] = checkRedaction([agent('0000000000000001')], secret);
    expect(finding?.message).toContain('no attribute contains `[REDACTED]`');
    expect(checkRedaction([agent('0000000000000001')], secret, { expectMarker: false })).toEqual(
      [],
    );
  });
});

describe('checkIsolation', () => {
  it('wants one trace per topic', () => {
    const one = agent('0000000000000001', undefined, 'Voyager 1');
    const two = { ...agent('0000000000000002', undefined, 'Kepler 22b'), traceId: 'b'.repeat(32) };
    expect(checkIsolation([one, two], ['Voyager 1', 'Kepler 22b'])).toEqual([]);
    const merged = checkIsolation([one, { ...two, traceId: T }], ['Voyager 1', 'Kepler 22b']);
    expect(merged.map((f) => f.message)).toEqual([
      'expected 2 concurrent runs to export 2 separate traces; saw 1. Keep per-run state keyed by the framework\'s run or trace id, never in a shared "current span" variable.',
      expect.stringContaining(
        'carries "Kepler 22b" from another concurrent run',
      ) as unknown as string,
      'the run about "Kepler 22b" has no trace of its own.',
    ]);
  });
});

describe('checkFlush', () => {
  const stats = (queued: number, exported: number, queueLength = 0) => ({
    spansQueued: queued,
    spansExported: exported,
    spansFiltered: 0,
    spansDropped: 0,
    spansFailed: 0,
    queueLength,
  });
  it('compares what the processor queued with what the receiver holds', () => {
    expect(
      checkFlush({ before: stats(0, 0), afterFlush: stats(4, 4), receivedAtFlush: 4, late: [] }),
    ).toEqual([]);
    const findings = checkFlush({
      before: stats(0, 0),
      afterFlush: stats(5, 3, 2),
      receivedAtFlush: 3,
      late: [],
    });
    expect(findings.map((f) => f.message)).toEqual([
      'expected an empty export queue after `forceFlush()`; 2 spans are still queued.',
      'expected the receiver to hold every span the processor queued once `forceFlush()` resolved; the processor queued 5 and the receiver had 3.',
    ]);
  });
});
