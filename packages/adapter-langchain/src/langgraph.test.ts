import { tracedFetch } from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { tool } from '@langchain/core/tools';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import {
  Annotation,
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { context, trace } from '@opentelemetry/api';
import { createAgent } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ask,
  flakyLookup,
  type Harness,
  json,
  lookupFacts,
  only,
  renderTree,
  startHarness,
} from './test-support/harness.js';

// LangChain.js and LangGraph.js, real, against the local model server; spans decoded from the
// OTLP protobuf the processor sent. registerGalileo() runs in beforeAll, an async context of its
// own: every run below is traced without `callbacks`.

let h: Harness;
const tracer = () => trace.getTracer('app');

/** Runs `fn` under a caller span (an HTTP server span stand-in); returns its id. */
async function underCaller<T>(fn: () => Promise<T>, name = 'POST /ask') {
  const caller = tracer().startSpan(name);
  try {
    const result = await context.with(trace.setSpan(context.active(), caller), fn);
    return { caller: caller.spanContext(), result };
  } finally {
    caller.end();
  }
}

const MESSAGE_KEYS = new Set(['role', 'content', 'tool_calls', 'tool_call_id']);
/** Parsed `gen_ai.*.messages`, checked to hold only the canonical keys. */
function messages(span: OtlpSpan, key: 'gen_ai.input.messages' | 'gen_ai.output.messages') {
  const list = json(span, key) as Array<Record<string, unknown>>;
  for (const message of list) {
    expect(
      Object.keys(message).every((k) => MESSAGE_KEYS.has(k)),
      JSON.stringify(message),
    ).toBe(true);
    expect(typeof message.content).toBe('string');
  }
  return list;
}

function exceptionOf(span: OtlpSpan) {
  return span.events.find((e) => e.name === 'exception')?.attributes;
}

// The failures the app sees with no tracing at all, to compare with the traced runs.
const untraced: Record<string, unknown> = {};
const failingNode = () =>
  new StateGraph(MessagesAnnotation)
    .addNode('explode', async (): Promise<{ messages: [] }> => {
      throw new TypeError('node broke');
    })
    .addEdge(START, 'explode')
    .compile({ name: 'fragile' });
const chatOn = (url: string, model: string) =>
  new ChatOpenAI({
    model,
    apiKey: 'sk-local',
    configuration: { baseURL: `${url}/v1` },
    maxRetries: 0,
  });

beforeAll(async () => {
  // Before registerGalileo(): LangChain runs without the adapter.
  const { startLocalModel } = await import('@galileo-otel/local-model');
  const plain = await startLocalModel({ port: 0 });
  untraced.model = await createAgent({
    model: chatOn(plain.url, 'gpt-4.1-mini@500'),
    tools: [lookupFacts],
  })
    .invoke(ask('Tell me about Voyager 1.'))
    .catch((error: unknown) => error);
  untraced.node = await failingNode()
    .invoke(ask('Tell me about Voyager 1.'))
    .catch((error: unknown) => error);
  await plain.close();
  h = await startHarness();
});
afterAll(() => h.close());

describe('a LangGraph agent (createAgent) with a tool', () => {
  let spans: OtlpSpan[];
  let callerId: string;
  beforeAll(async () => {
    const agent = createAgent({ model: h.chat(), tools: [lookupFacts], name: 'research_agent' });
    const { caller } = await underCaller(() => agent.invoke(ask('Tell me about Voyager 1.')));
    callerId = caller.spanId;
    spans = await h.flushSpans();
  });

  it('is invoke_agent → node workflows → chat / execute_tool under the caller span', () => {
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent research_agent [agent]',
        '    model_request [workflow]',
        '      chat gpt-4.1-mini [llm]',
        '    tools [workflow]',
        '      execute_tool lookup_facts [tool]',
        '    model_request [workflow]',
        '      chat gpt-4.1-mini [llm]',
      ].join('\n'),
    );
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(only(spans, 'invoke_agent research_agent').parentSpanId).toBe(callerId);
    expect(spans.filter((s) => 'galileo.incomplete' in s.attributes)).toEqual([]);
    expect(h.adapter.openRuns).toBe(0);
  });

  it('chains the assistant tool_calls, the tool span and the tool message by one call id', () => {
    const [first, second] = spans
      .filter((s) => s.name === 'chat gpt-4.1-mini')
      .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    const asked = messages(first as OtlpSpan, 'gen_ai.output.messages');
    expect(asked).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: expect.stringMatching(/^call_/),
            type: 'function',
            function: { name: 'lookup_facts', arguments: '{"topic":"Voyager 1"}' },
          },
        ],
      },
    ]);
    const callId = (asked[0]?.tool_calls as Array<{ id: string }> | undefined)?.[0]?.id;
    const toolSpan = only(spans, 'execute_tool lookup_facts');
    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_facts',
      'gen_ai.tool.call.id': callId,
      'gen_ai.tool.call.arguments': '{"topic":"Voyager 1"}',
      'gen_ai.tool.call.result': 'Facts about Voyager 1: launched in 1977.',
    });
    expect(messages(second as OtlpSpan, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'Tell me about Voyager 1.' },
      asked[0],
      { role: 'tool', content: 'Facts about Voyager 1: launched in 1977.', tool_call_id: callId },
    ]);
  });

  it('gives llm spans model, provider, both usage names, response id and finish reason', () => {
    for (const span of spans.filter((s) => s.name === 'chat gpt-4.1-mini')) {
      const a = span.attributes;
      expect(a).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4.1-mini',
        'gen_ai.response.model': 'gpt-4.1-mini',
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/),
      });
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(a['gen_ai.usage.prompt_tokens']).toBe(a['gen_ai.usage.input_tokens']);
      expect(a['gen_ai.usage.completion_tokens']).toBe(a['gen_ai.usage.output_tokens']);
      expect(a['gen_ai.usage.total_tokens']).toBe(
        Number(a['gen_ai.usage.input_tokens']) + Number(a['gen_ai.usage.output_tokens']),
      );
      expect(a['gen_ai.response.finish_reasons']).toHaveLength(1);
    }
  });

  it("gives the agent the user's messages in and its final answer out, and nodes their state", () => {
    const agent = only(spans, 'invoke_agent research_agent');
    expect(agent.attributes['gen_ai.agent.name']).toBe('research_agent');
    expect(messages(agent, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'Tell me about Voyager 1.' },
    ]);
    expect(messages(agent, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        content:
          'Here is what I found about Voyager 1: lookup_facts returned "Facts about Voyager 1: launched in 1977.".',
      },
    ]);
    const tools = only(spans, 'tools');
    expect(tools.attributes).toMatchObject({ 'langgraph.node': 'tools', 'langgraph.step': 2 });
    expect(messages(tools, 'gen_ai.output.messages')).toEqual([
      expect.objectContaining({ role: 'tool', tool_call_id: expect.stringMatching(/^call_/) }),
    ]);
    // A node's output is its state update (createAgent's model node returns a Command).
    const [firstModelNode] = spans.filter((s) => s.name === 'model_request');
    expect(messages(firstModelNode as OtlpSpan, 'gen_ai.output.messages')).toEqual([
      expect.objectContaining({ role: 'assistant', tool_calls: [expect.anything()] }),
    ]);
  });
});

describe('a LangGraph agent on Gemini (@langchain/google-genai)', () => {
  it('shows the same tree, with the call in tool_calls and never in the content', async () => {
    const gemini = new ChatGoogleGenerativeAI({
      model: 'gemini-2.5-flash',
      apiKey: 'local',
      baseUrl: h.model.url,
      maxRetries: 0,
    });
    const agent = createAgent({ model: gemini, tools: [lookupFacts], name: 'gemini_agent' });
    await underCaller(() => agent.invoke(ask('Tell me about Voyager 1.')));
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent gemini_agent [agent]',
        '    model_request [workflow]',
        '      chat gemini-2.5-flash [llm]',
        '    tools [workflow]',
        '      execute_tool lookup_facts [tool]',
        '    model_request [workflow]',
        '      chat gemini-2.5-flash [llm]',
      ].join('\n'),
    );
    const [first, second] = spans
      .filter((s) => s.name === 'chat gemini-2.5-flash')
      .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1)) as [OtlpSpan, OtlpSpan];
    // Gemini's answer holds the call as a `functionCall` content block: it is a tool call here.
    const [asked] = messages(first, 'gen_ai.output.messages');
    expect(asked).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: expect.any(String),
          type: 'function',
          function: { name: 'lookup_facts', arguments: '{"topic":"Voyager 1"}' },
        },
      ],
    });
    const callId = (asked?.tool_calls as Array<{ id: string }> | undefined)?.[0]?.id;
    expect(only(spans, 'execute_tool lookup_facts').attributes['gen_ai.tool.call.id']).toBe(callId);
    expect(messages(second, 'gen_ai.input.messages')).toContainEqual({
      role: 'tool',
      content: 'Facts about Voyager 1: launched in 1977.',
      tool_call_id: callId,
    });
    expect(first.attributes).toMatchObject({
      'gen_ai.provider.name': 'google_genai',
      'gen_ai.request.model': 'gemini-2.5-flash',
    });
    expect(first.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(h.model.requests.at(-1)?.protocol).toBe('gemini');
  });
});

describe('LangGraph shapes', () => {
  it('names the nodes of createReactAgent (langgraph/prebuilt) after the graph', async () => {
    const agent = createReactAgent({ llm: h.chat(), tools: [lookupFacts], name: 'react_agent' });
    await underCaller(() => agent.invoke(ask('Tell me about Voyager 1.')));
    expect(renderTree(await h.flushSpans())).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent react_agent [agent]',
        '    agent [workflow]',
        '      chat gpt-4.1-mini [llm]',
        '    tools [workflow]',
        '      execute_tool lookup_facts [tool]',
        '    agent [workflow]',
        '      chat gpt-4.1-mini [llm]',
      ].join('\n'),
    );
  });

  it('nests a subgraph as an agent under the node that runs it', async () => {
    const researcher = new StateGraph(MessagesAnnotation)
      .addNode('answer', async (state) => ({ messages: [await h.chat().invoke(state.messages)] }))
      .addEdge(START, 'answer')
      .compile({ name: 'researcher' });
    const outer = new StateGraph(MessagesAnnotation)
      .addNode('research', researcher)
      .addNode('review', async () => ({}))
      .addEdge(START, 'research')
      .addEdge('research', 'review')
      .addEdge('review', END)
      .compile({ name: 'editor' });
    await underCaller(() => outer.invoke(ask('Tell me about Voyager 1.')));
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent editor [agent]',
        '    research [workflow]',
        '      invoke_agent researcher [agent]',
        '        answer [workflow]',
        '          chat gpt-4.1-mini [llm]',
        '    review [workflow]',
      ].join('\n'),
    );
  });

  it('makes a retriever a retriever span with the query in and the documents out', async () => {
    class Shelf extends BaseRetriever {
      lc_namespace = ['tests', 'retrievers'];
      async _getRelevantDocuments(query: string): Promise<Document[]> {
        return [
          new Document({ pageContent: `${query} launched in 1977.`, metadata: { source: 'nasa' } }),
          new Document({ pageContent: `${query} left the heliosphere.`, id: 'doc-2' }),
        ];
      }
    }
    const shelf = new Shelf();
    const State = Annotation.Root({ topic: Annotation<string>(), facts: Annotation<string[]>() });
    const graph = new StateGraph(State)
      .addNode('retrieve', async ({ topic }) => ({
        facts: (await shelf.invoke(topic, { runName: 'mission_archive' })).map(
          (d) => d.pageContent,
        ),
      }))
      .addEdge(START, 'retrieve')
      .compile({ name: 'librarian' });
    await underCaller(() => graph.invoke({ topic: 'Voyager 1' }));
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent librarian [agent]',
        '    retrieve [workflow]',
        '      retrieval mission_archive [retriever]',
      ].join('\n'),
    );
    const retrieval = only(spans, 'retrieval mission_archive');
    expect(retrieval.attributes['db.operation']).toBe('search');
    expect(json(retrieval, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'Voyager 1' },
    ]);
    expect(json(retrieval, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        content: {
          documents: [
            { content: 'Voyager 1 launched in 1977.', metadata: { source: 'nasa' } },
            { content: 'Voyager 1 left the heliosphere.', id: 'doc-2' },
          ],
        },
      },
    ]);
    // A state without messages: a lone string field shows as that text, anything else as JSON.
    const librarian = only(spans, 'invoke_agent librarian');
    expect(json(librarian, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'Voyager 1' },
    ]);
    expect(json(librarian, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        content: JSON.stringify({
          topic: 'Voyager 1',
          facts: ['Voyager 1 launched in 1977.', 'Voyager 1 left the heliosphere.'],
        }),
      },
    ]);
  });

  it("runs a tool's body with its execute_tool span active, and gives the caller its span back", async () => {
    let afterRun: string | undefined;
    const fetchHealth = tool(
      async () => {
        const res = await tracedFetch(`${h.model.url}/health`);
        return res.status === 200 ? 'healthy' : 'down';
      },
      {
        name: 'check_health',
        description: 'Look up facts about a topic',
        schema: z.object({ topic: z.string() }),
      },
    );
    const agent = createAgent({ model: h.chat(), tools: [fetchHealth], name: 'checker' });
    await underCaller(async () => {
      await agent.invoke(ask('Tell me about Voyager 1.'));
      afterRun = trace.getActiveSpan()?.spanContext().spanId;
      // A run started after the first one hangs under the caller again, not under its tool.
      await createAgent({ model: h.chat(), tools: [], name: 'second' }).invoke(ask('Hi.'));
    });
    const spans = await h.flushSpans();
    const toolSpan = only(spans, 'execute_tool check_health');
    const client = spans.find((s) => s.kind === 3);
    expect(client?.parentSpanId, renderTree(spans)).toBe(toolSpan.spanId);
    expect(toolSpan.attributes['gen_ai.tool.call.result']).toBe('healthy');
    const caller = only(spans, 'POST /ask');
    expect(afterRun).toBe(caller.spanId);
    expect(only(spans, 'invoke_agent second').parentSpanId).toBe(caller.spanId);
  });
});

describe('errors', () => {
  it('marks a throwing tool ERROR with error.type and an exception event; the run goes on', async () => {
    const agent = createAgent({ model: h.chat(), tools: [flakyLookup], name: 'research_agent' });
    const { result } = await underCaller(() => agent.invoke(ask('Tell me about Voyager 1.')));
    expect(String(result.messages.at(-1)?.content)).toContain('lookup backend down');
    const spans = await h.flushSpans();
    const failed = spans.filter((s) => s.status.code === 2);
    expect(failed.map((s) => s.name)).toEqual(['execute_tool flaky_lookup']);
    const toolSpan = failed[0] as OtlpSpan;
    expect(toolSpan.status.message).toBe('lookup backend down');
    expect(toolSpan.attributes['error.type']).toBe('RangeError');
    expect(toolSpan.attributes['gen_ai.tool.call.arguments']).toBe('{"topic":"Voyager 1"}');
    expect(exceptionOf(toolSpan)).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'lookup backend down',
    });
  });

  it('marks a failed model call, its node and the agent ERROR; the app gets the untraced error', async () => {
    const agent = createAgent({ model: h.chat('gpt-4.1-mini@500'), tools: [lookupFacts] });
    const seen = await underCaller(() => agent.invoke(ask('Tell me about Voyager 1.'))).catch(
      (error: unknown) => error,
    );
    expect(seen).toBeInstanceOf(Error);
    expect(seen?.constructor).toBe(untraced.model?.constructor);
    expect((seen as Error).message).toBe((untraced.model as Error).message);
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent LangGraph [agent] ERROR',
        '    model_request [workflow] ERROR',
        '      chat gpt-4.1-mini@500 [llm] ERROR',
      ].join('\n'),
    );
    for (const span of spans.filter((s) => s.status.code === 2)) {
      expect(span.attributes['error.type'], span.name).toBe('InternalServerError');
      expect(exceptionOf(span)?.['exception.message'], span.name).toBe((seen as Error).message);
    }
    expect(h.adapter.openRuns).toBe(0);
  });

  it('marks a throwing node and its graph ERROR; the app gets the untraced error', async () => {
    const seen = await underCaller(() => failingNode().invoke(ask('Hi.'))).catch(
      (error: unknown) => error,
    );
    expect(seen).toBeInstanceOf(TypeError);
    expect((seen as Error).message).toBe((untraced.node as Error).message);
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent fragile [agent] ERROR',
        '    explode [workflow] ERROR',
      ].join('\n'),
    );
    const node = only(spans, 'explode');
    expect(node.attributes['error.type']).toBe('TypeError');
    expect(exceptionOf(node)).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'node broke',
    });
  });
  it('ends a node that interrupts without an error, and names the thread as the conversation', async () => {
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('approve', async () => {
        const answer = interrupt('Ship it?');
        return { messages: [{ role: 'assistant', content: `Approved: ${String(answer)}` }] };
      })
      .addEdge(START, 'approve')
      .compile({ name: 'approver', checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'thread-42' } };
    const { result: paused } = await underCaller(() => graph.invoke(ask('Ship it?'), config));
    expect(paused).toHaveProperty('__interrupt__');
    const { result } = await underCaller(() =>
      graph.invoke(new Command({ resume: 'yes' }), config),
    );
    expect(result.messages.at(-1)?.content).toBe('Approved: yes');
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent approver [agent]',
        '    approve [workflow]',
        'POST /ask [workflow]',
        '  invoke_agent approver [agent]',
        '    approve [workflow]',
      ].join('\n'),
    );
    for (const agent of spans.filter((s) => s.name === 'invoke_agent approver')) {
      expect(agent.attributes['gen_ai.conversation.id']).toBe('thread-42');
    }
    expect(h.adapter.openRuns).toBe(0);
  });
});

describe('streaming, batches, concurrency and cancellation', () => {
  const expectedTree = (name: string) =>
    [
      'POST /ask [workflow]',
      `  invoke_agent ${name} [agent]`,
      '    model_request [workflow]',
      '      chat gpt-4.1-mini [llm]',
      '    tools [workflow]',
      '      execute_tool lookup_facts [tool]',
      '    model_request [workflow]',
      '      chat gpt-4.1-mini [llm]',
    ].join('\n');

  it('traces graph.stream() in every stream mode the same as invoke()', async () => {
    const agent = createAgent({ model: h.chat(), tools: [lookupFacts], name: 'streamer' });
    for (const streamMode of ['values', 'updates', 'messages'] as const) {
      let chunks = 0;
      await underCaller(async () => {
        for await (const _ of await agent.stream(ask('Tell me about Voyager 1.'), { streamMode })) {
          chunks += 1;
        }
      });
      expect(chunks, streamMode).toBeGreaterThan(0);
      const spans = await h.flushSpans();
      expect(renderTree(spans), streamMode).toBe(expectedTree('streamer'));
      expect(spans.filter((s) => 'galileo.incomplete' in s.attributes)).toEqual([]);
      const answer = spans.filter((s) => s.name === 'chat gpt-4.1-mini').at(-1) as OtlpSpan;
      expect(messages(answer, 'gen_ai.output.messages')[0]?.content).toContain(
        'Here is what I found',
      );
    }
    expect(h.adapter.openRuns).toBe(0);
  });

  it('traces streamEvents() and a streamed model call', async () => {
    const agent = createAgent({ model: h.chat(), tools: [lookupFacts], name: 'eventful' });
    const kinds = new Set<string>();
    await underCaller(async () => {
      for await (const event of agent.streamEvents(ask('Tell me about Voyager 1.'), {
        version: 'v2',
      })) {
        kinds.add(event.event);
      }
    });
    expect(kinds).toContain('on_chat_model_end');
    expect(renderTree(await h.flushSpans())).toBe(expectedTree('eventful'));

    let text = '';
    await underCaller(async () => {
      for await (const chunk of await h.chat().stream('Tell me about Voyager 1.')) {
        text += chunk.text;
      }
    });
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      ['POST /ask [workflow]', '  chat gpt-4.1-mini [llm]'].join('\n'),
    );
    const chat = only(spans, 'chat gpt-4.1-mini');
    expect(messages(chat, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: text },
    ]);
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('gives each input of batch() its own agent span under the caller', async () => {
    const agent = createReactAgent({ llm: h.chat(), tools: [lookupFacts], name: 'batcher' });
    const topics = ['Voyager 1', 'Kepler 22b', 'Cassini Huygens'];
    const { caller } = await underCaller(() =>
      agent.batch(topics.map((topic) => ask(`Tell me about ${topic}.`))),
    );
    const spans = await h.flushSpans();
    const agents = spans.filter((s) => s.name === 'invoke_agent batcher');
    expect(agents).toHaveLength(3);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const agentOf = (span: OtlpSpan): OtlpSpan | undefined => {
      for (let s: OtlpSpan | undefined = span; s; s = byId.get(s.parentSpanId ?? '')) {
        if (s.name === 'invoke_agent batcher') return s;
      }
      return undefined;
    };
    for (const agentSpan of agents) {
      expect(agentSpan.parentSpanId).toBe(caller.spanId);
      const input = messages(agentSpan, 'gen_ai.input.messages')[0]?.content as string;
      const topic = topics.find((t) => input.includes(t)) as string;
      const mine = spans.filter((s) => s !== agentSpan && agentOf(s) === agentSpan);
      expect(mine).toHaveLength(6);
      for (const span of mine.filter((s) => s.name.startsWith('chat'))) {
        const text = span.attributes['gen_ai.input.messages'] as string;
        expect(text).toContain(topic);
        for (const other of topics.filter((t) => t !== topic)) expect(text).not.toContain(other);
      }
    }
  });

  it('keeps 50 concurrent runs in 50 traces, and the open-run registry goes back to 0', async () => {
    const agent = createAgent({ model: h.chat(), tools: [lookupFacts], name: 'parallel' });
    const topics = Array.from({ length: 50 }, (_, i) => `Probe ${i + 1} Mission`);
    const runs = await Promise.all(
      topics.map((topic) =>
        underCaller(() => agent.invoke(ask(`Tell me about ${topic}.`)), `POST /ask ${topic}`),
      ),
    );
    expect(h.adapter.openRuns).toBe(0);
    const spans = await h.flushSpans();
    expect(spans).toHaveLength(50 * 8);
    for (const [i, { caller }] of runs.entries()) {
      const trace = spans.filter((s) => s.traceId === caller.traceId);
      expect(trace).toHaveLength(8);
      expect(only(trace, 'invoke_agent parallel').parentSpanId).toBe(caller.spanId);
      const text = JSON.stringify(trace.map((s) => s.attributes));
      expect(text).toContain(`${topics[i]}.`);
      const others = topics.filter((t, j) => j !== i && text.includes(`${t}.`));
      expect(others).toEqual([]);
    }
  });

  it('ends every span of a stream the app stops reading early', async () => {
    const agent = createAgent({ model: h.chat(), tools: [lookupFacts], name: 'abandoned' });
    await underCaller(async () => {
      for await (const _ of await agent.stream(ask('Tell me about Voyager 1.'), {
        streamMode: 'updates',
      })) {
        break;
      }
    });
    // LangGraph cancels the rest of the run (the tool node, when it had started, fails with it).
    const spans = await h.flushSpans();
    expect(renderTree(spans).split('\n').slice(0, 4)).toEqual([
      'POST /ask [workflow]',
      '  invoke_agent abandoned [agent] ERROR',
      '    model_request [workflow]',
      '      chat gpt-4.1-mini [llm]',
    ]);
    for (const span of spans.filter((s) => s.status.code === 2)) {
      expect(span.attributes['error.type'], span.name).toBe('AbortError');
    }
    expect(h.adapter.openRuns).toBe(0);
  });

  it('ends every span of a cancelled run; the app gets the AbortError', async () => {
    const controller = new AbortController();
    const agent = createAgent({ model: h.chat('gpt-4.1-mini@latency:5000'), tools: [lookupFacts] });
    const before = h.model.requests.length;
    const run = underCaller(() =>
      agent.invoke(ask('Tell me about Voyager 1.'), { signal: controller.signal }),
    );
    // Abort once the model call is on the wire.
    for (let i = 0; i < 500 && h.model.requests.length === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    const seen = await run.catch((error: unknown) => error);
    expect((seen as Error).name).toBe('AbortError');
    const spans = await h.flushSpans();
    expect(h.adapter.openRuns).toBe(0);
    expect(renderTree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent LangGraph [agent] ERROR',
        '    model_request [workflow] ERROR',
        '      chat gpt-4.1-mini@latency:5000 [llm] ERROR',
      ].join('\n'),
    );
    const chat = only(spans, 'chat gpt-4.1-mini@latency:5000');
    expect(chat.attributes).toMatchObject({
      'galileo.incomplete': true,
      'galileo.incomplete.reason': 'cancelled',
    });
  });
});
