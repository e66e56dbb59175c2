// The demo's verdict on a trace, on hand-built spans: the full shape passes, and each way a
// trace can look whole while being wrong is named.
import { describe, expect, it } from 'vitest';
import { checkTrace } from './check-trace.mjs';

const io = {
  'gen_ai.input.messages': '[{"role":"user","content":"q"}]',
  'gen_ai.output.messages': '[{"role":"assistant","content":"a"}]',
};
const span = (spanId, parentSpanId, name, kind, serviceName, extra = {}) => ({
  traceId: 't',
  spanId,
  parentSpanId,
  name,
  kind,
  serviceName,
  spanKind: 1,
  startMs: Number(spanId),
  durationMs: 1,
  status: { code: 0, message: '' },
  attributes: { ...io, 'galileo.session.id': 's' },
  resource: {},
  ...extra,
});
const wholeTrace = () => [
  span('1', null, 'POST /ask', 'workflow', 'a', { spanKind: 2 }),
  span('2', '1', 'invoke_agent orchestrator', 'agent', 'a'),
  span('3', '2', 'chat gpt-4.1-mini', 'llm', 'a'),
  span('4', '2', 'execute_tool delegate_research', 'tool', 'a'),
  span('5', '4', 'POST /research', 'workflow', 'a', { spanKind: 3 }),
  span('6', '5', 'POST /research', 'workflow', 'b', { spanKind: 2 }),
  span('7', '6', 'invocation', 'workflow', 'b'),
  span('8', '7', 'invoke_agent research_agent', 'agent', 'b'),
  span('9', '8', 'chat gemini-2.5-flash', 'llm', 'b'),
  span('10', '2', 'chat gpt-4.1-mini', 'llm', 'a'),
];
const expected = {
  from: 'openai-agents',
  to: 'google-adk',
  serviceA: 'a',
  serviceB: 'b',
  sessionId: 's',
  serverIo: true,
};

describe('checkTrace', () => {
  it('passes the two-service shape with the documented ADK invocation level', () => {
    expect(checkTrace(wholeTrace(), expected).problems).toEqual([]);
  });

  it('flags an undocumented extra level, so a framework wrapper the adapter should fold shows', () => {
    const { problems } = checkTrace(wholeTrace(), { ...expected, to: 'mastra' });
    expect(problems.join('\n')).toMatch(/"invoke_agent research_agent".*is not a child of B's/);
    expect(problems.join('\n')).toMatch(/unexpected span "invocation"/);
  });

  it('flags a trace that broke at the process boundary', () => {
    // B's server span points at A's client span, which never arrived: an orphan.
    const spans = wholeTrace().filter((s) => !['5', '7', '9'].includes(s.spanId));
    const agentB = spans.find((s) => s.spanId === '8');
    agentB.parentSpanId = '6';
    const problems = checkTrace(spans, { ...expected, to: 'mastra' }).problems.join('\n');
    expect(problems).toMatch(/orphan: "POST \/research"/);
    expect(problems).toMatch(/missing: A's client span/);
    expect(problems).toMatch(/no llm span under B's agent/);
  });

  it("checks the hop by the transport's span names (--via a2a: SendMessage on both sides)", () => {
    const a2a = { ...expected, via: 'a2a' };
    const problems = checkTrace(wholeTrace(), a2a).problems.join('\n');
    expect(problems).toMatch(/missing: A's client span "SendMessage"/);
    expect(problems).toMatch(/missing: B's server span "SendMessage"/);
    const spans = wholeTrace();
    spans[4].name = 'SendMessage';
    spans[5].name = 'SendMessage';
    expect(checkTrace(spans, a2a).problems).toEqual([]);
  });

  it('flags a duplicate span, as tracing registered twice would produce', () => {
    const spans = wholeTrace();
    spans.push(span('11', '2', 'execute_tool delegate_research', 'tool', 'a'));
    expect(checkTrace(spans, expected).problems).toEqual([
      'unexpected span "execute_tool delegate_research" (tool, a): not part of the two-service shape',
    ]);
  });

  it('flags agent and model spans not named as Galileo shows them', () => {
    const spans = wholeTrace();
    spans[1].name = 'agent_run orchestrator';
    spans[8].name = 'call_llm';
    const problems = checkTrace(spans, expected).problems.join('\n');
    expect(problems).toMatch(/"agent_run orchestrator".*should be named "invoke_agent/);
    expect(problems).toMatch(/"call_llm".*should be named "chat <model>"/);
  });

  it("passes LangGraph's node levels and B's retriever, and flags a chain level the adapter should fold", () => {
    const node = (name) => ({
      attributes: { ...io, 'galileo.session.id': 's', 'langgraph.node': name },
    });
    const spans = [
      span('1', null, 'POST /ask', 'workflow', 'a', { spanKind: 2 }),
      span('2', '1', 'invoke_agent orchestrator', 'agent', 'a'),
      span('3', '2', 'model_request', 'workflow', 'a', node('model_request')),
      span('4', '3', 'chat gpt-4.1-mini', 'llm', 'a'),
      span('5', '2', 'tools', 'workflow', 'a', node('tools')),
      span('6', '5', 'execute_tool delegate_research', 'tool', 'a'),
      span('7', '6', 'POST /research', 'workflow', 'a', { spanKind: 3 }),
      span('8', '7', 'POST /research', 'workflow', 'b', { spanKind: 2 }),
      span('9', '8', 'invoke_agent research_agent', 'agent', 'b'),
      span('10', '9', 'retrieve', 'workflow', 'b', node('retrieve')),
      span('11', '10', 'retrieval knowledge_base', 'retriever', 'b'),
      span('12', '9', 'summarize', 'workflow', 'b', node('summarize')),
      span('13', '12', 'chat gpt-4.1-mini', 'llm', 'b'),
      span('14', '2', 'model_request', 'workflow', 'a', node('model_request')),
      span('15', '14', 'chat gpt-4.1-mini', 'llm', 'a'),
    ];
    const langchain = { ...expected, from: 'langchain', to: 'langchain' };
    expect(checkTrace(spans, langchain).problems).toEqual([]);
    // A LangChain sequence that was not folded: a workflow level that is no graph node.
    spans.push(span('16', '12', 'RunnableSequence', 'workflow', 'b'));
    spans[12].parentSpanId = '16';
    expect(checkTrace(spans, langchain).problems.join('\n')).toMatch(
      /unexpected span "RunnableSequence"/,
    );
  });

  describe('over MCP', () => {
    // The same request with the hop over MCP: B's tool comes from an MCP server, and OpenAI
    // Agents records its listing of that server's tools as a span of its own.
    const mcpTrace = () =>
      wholeTrace().map((s) => {
        if (s.spanId === '4') return { ...s, name: 'execute_tool research' };
        if (s.spanId === '5' || s.spanId === '6') return { ...s, name: 'tools/call research' };
        return s;
      });
    const listing = span('11', '2', 'mcp_list_tools agent_b', 'tool', 'a');

    it('passes the MCP hop, and the HTTP check does not', () => {
      const spans = [...mcpTrace(), listing];
      expect(checkTrace(spans, { ...expected, via: 'mcp' }).problems).toEqual([]);
      const http = checkTrace(spans, expected).problems.join('\n');
      expect(http).toMatch(/missing: the tool span "execute_tool delegate_research"/);
      expect(http).toMatch(/missing: A's client span "POST \/research"/);
    });

    it('flags a SERVER span that started its own trace (the context did not cross in _meta)', () => {
      const spans = mcpTrace();
      spans[5].parentSpanId = undefined;
      const problems = checkTrace(spans, { ...expected, via: 'mcp' }).problems.join('\n');
      expect(problems).toMatch(/expected 1 root span, found 2/);
      expect(problems).toMatch(/B's server span is not a child of A's client span/);
    });

    it('keeps the listing span an OpenAI Agents extra only', () => {
      const spans = [...mcpTrace(), listing];
      const problems = checkTrace(spans, { ...expected, via: 'mcp', from: 'mastra' }).problems;
      expect(problems).toEqual([
        'unexpected span "mcp_list_tools agent_b" (tool, a): not part of the two-service shape',
      ]);
    });

    it('names an unknown transport', () => {
      expect(checkTrace(mcpTrace(), { ...expected, via: 'carrier-pigeon' }).problems).toEqual([
        'unknown transport "carrier-pigeon"',
      ]);
    });
  });
});
