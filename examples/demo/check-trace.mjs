// What "the trace arrived whole" means for the cross-process demo, as code shared by
// `npm run demo` and the end-to-end test. Input: the spans of one trace as the local receiver
// stores them (`TraceStore.getTrace`, or `GET /api/traces/:id`). Output: a list of problems,
// empty when the trace has the seed's shape:
//
//   POST /ask                          A: server span (workflow)
//     invoke_agent <orchestrator>      A: agent
//       chat <model>                   A: llm
//       execute_tool delegate_research A: tool
//         POST /research               A: client span (workflow)
//           POST /research             B: server span (workflow)
//             invoke_agent <research>  B: agent
//               chat <model>           B: llm
//       chat <model>                   A: llm (final answer)
//
// Over MCP (`via: 'mcp'` / `'mcp-http'`) the hop is `tools/call research` (A's CLIENT span, then
// B's SERVER span), under A's framework tool span for B's `research` MCP tool; over A2A
// (`via: 'a2a'`) it is `SendMessage` on both sides, under A's `delegate_research` tool span.

/** OTLP span kinds. */
const SERVER = 2;
const CLIENT = 3;

/**
 * Levels a framework adds between the spans above that its adapter documents and keeps on
 * purpose. A span matching one of these may sit between an expected parent and child; nothing
 * else may.
 */
export const DOCUMENTED_EXTRA_LEVELS = {
  // ADK's `invocation` span is the run itself (Runner.runAsync): the adapter keeps it as a
  // workflow span between the HTTP server span and the agent.
  'google-adk': [(s) => s.name === 'invocation' && s.kind === 'workflow'],
  'openai-agents': [],
  'vercel-ai': [],
  mastra: [],
  // LangGraph's nodes are workflow spans between the agent and its model, tool and retriever
  // spans (`model_request`, `tools`; B's `retrieve`, `summarize`), and B's retriever span
  // (`retrieval knowledge_base`) is a leaf the other frameworks' B has no counterpart of.
  langchain: [
    (s) => s.kind === 'workflow' && typeof s.attributes?.['langgraph.node'] === 'string',
    (s) => s.kind === 'retriever',
  ],
  'claude-agent-sdk': [],
};

/**
 * The hop from A to B per transport (`--via`): A's tool span, A's CLIENT span under it and B's
 * SERVER span under that, by name; plus spans the transport adds on purpose, by framework.
 */
export const HOPS = {
  http: {
    tool: (name) => name === 'execute_tool delegate_research',
    toolName: 'execute_tool delegate_research',
    client: 'POST /research',
    server: 'POST /research',
    extra: {},
  },
  mcp: {
    // Mastra prefixes an MCP tool with its server's name (`agent_b_research`).
    tool: (name) => /^execute_tool (agent_b_)?research$/.test(name),
    toolName: 'execute_tool research',
    client: 'tools/call research',
    server: 'tools/call research',
    extra: {
      // OpenAI Agents records its listing of an MCP server's tools as a tool span of its own.
      'openai-agents': [(s) => s.name === 'mcp_list_tools agent_b' && s.kind === 'tool'],
    },
  },
};
HOPS['mcp-http'] = HOPS.mcp;
HOPS.a2a = { ...HOPS.http, client: 'SendMessage', server: 'SendMessage' };

const SESSION_KEYS = ['galileo.session.id', 'session.id'];

function sessionOf(span) {
  for (const key of SESSION_KEYS) {
    const value = span.attributes?.[key] ?? span.resource?.[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

function hasIo(span) {
  const a = span.attributes ?? {};
  const input =
    a['gen_ai.input.messages'] ?? a['input.value'] ?? a['gen_ai.tool.call.arguments'] ?? undefined;
  const output =
    a['gen_ai.output.messages'] ?? a['output.value'] ?? a['gen_ai.tool.call.result'] ?? undefined;
  return {
    input: input !== undefined && input !== '',
    output: output !== undefined && output !== '',
  };
}

const label = (s) => `"${s.name}" (${s.kind}, ${s.serviceName ?? 'no service'})`;

/**
 * Checks one trace against the expected cross-process shape.
 *
 * @param {Array<object>} spans stored spans of one trace
 * @param {{ from: string, to: string, via?: string, serviceA: string, serviceB: string, sessionId?: string, serverIo?: boolean }} expected
 *   `via` picks the hop from A to B in {@link HOPS} (default `http`).
 * @returns {{ problems: string[], roles: Record<string, object | undefined> }}
 */
export function checkTrace(spans, expected) {
  const problems = [];
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const hop = HOPS[expected.via ?? 'http'];
  if (!hop) return { problems: [`unknown transport "${expected.via}"`], roles: {} };
  const extraA = [
    ...(DOCUMENTED_EXTRA_LEVELS[expected.from] ?? []),
    ...(hop.extra[expected.from] ?? []),
  ];
  const extraB = [
    ...(DOCUMENTED_EXTRA_LEVELS[expected.to] ?? []),
    ...(hop.extra[expected.to] ?? []),
  ];
  const roles = {};

  if (spans.length === 0) return { problems: ['no spans arrived'], roles };

  const traceIds = new Set(spans.map((s) => s.traceId));
  if (traceIds.size !== 1) problems.push(`spans of ${traceIds.size} trace ids were passed in`);

  const orphans = spans.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId));
  for (const o of orphans)
    problems.push(`orphan: ${label(o)} names parent ${o.parentSpanId}, which never arrived`);
  const roots = spans.filter((s) => !s.parentSpanId);
  if (roots.length !== 1) {
    problems.push(
      `expected 1 root span, found ${roots.length}: ${roots.map(label).join(', ') || 'none'}`,
    );
  }

  const services = new Set(spans.map((s) => s.serviceName));
  for (const service of [expected.serviceA, expected.serviceB]) {
    if (!services.has(service)) problems.push(`no span from service "${service}"`);
  }

  const ofA = spans.filter((s) => s.serviceName === expected.serviceA);
  const ofB = spans.filter((s) => s.serviceName === expected.serviceB);

  /** True when `ancestor` is reached from `span` going up through allowed levels only. */
  const isUnder = (span, ancestor, allowed) => {
    let current = span;
    for (let hops = 0; hops < 64; hops++) {
      const parent = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
      if (!parent) return false;
      if (parent === ancestor) return true;
      if (!allowed.some((match) => match(parent))) return false;
      current = parent;
    }
    return false;
  };
  const find = (list, what, predicate) => {
    const found = list.filter(predicate);
    if (found.length === 0) problems.push(`missing: ${what}`);
    return found;
  };

  // A: the server span is the root.
  const [askServer] = find(
    ofA,
    `A's server span "POST /ask" (${expected.serviceA})`,
    (s) => s.spanKind === SERVER && s.name === 'POST /ask',
  );
  roles.askServer = askServer;
  if (askServer?.parentSpanId) problems.push(`${label(askServer)} is not the root`);
  if (askServer && askServer.kind !== 'workflow')
    problems.push(`${label(askServer)} should be a workflow span`);

  // A: the orchestrator agent directly under it.
  const agentsA = find(ofA, `an agent span in ${expected.serviceA}`, (s) => s.kind === 'agent');
  const agentA = askServer ? agentsA.find((s) => isUnder(s, askServer, extraA)) : agentsA[0];
  if (askServer && agentsA.length > 0 && !agentA) {
    problems.push(`A's agent span ${label(agentsA[0])} is not a child of "POST /ask"`);
  }
  roles.agentA = agentA;

  // A: the tool that reaches B, under the agent.
  const toolsA = find(
    ofA,
    `the tool span "${hop.toolName}" in ${expected.serviceA}`,
    (s) => s.kind === 'tool' && hop.tool(s.name),
  );
  const toolA = toolsA[0];
  roles.toolA = toolA;
  if (toolA && agentA && !isUnder(toolA, agentA, extraA)) {
    problems.push(`${label(toolA)} is not a child of A's agent ${label(agentA)}`);
  }

  // A: llm spans under the agent, one of them after the tool (the final answer).
  const llmsA = ofA.filter((s) => s.kind === 'llm' && agentA && isUnder(s, agentA, extraA));
  if (llmsA.length < 2) {
    problems.push(
      `expected 2 llm spans under A's agent (tool call, final answer), found ${llmsA.length}`,
    );
  } else if (toolA && !llmsA.some((s) => s.startMs >= toolA.startMs + toolA.durationMs - 1)) {
    problems.push('no llm span of A starts after the tool span ended (the final answer)');
  }
  roles.llmsA = llmsA;

  // A: the client span of the outbound call, directly under the tool.
  const [clientA] = find(
    ofA,
    `A's client span "${hop.client}"`,
    (s) => s.spanKind === CLIENT && s.name === hop.client,
  );
  roles.clientA = clientA;
  if (clientA && clientA.kind !== 'workflow')
    problems.push(`${label(clientA)} should be a workflow span`);
  if (clientA && toolA && clientA.parentSpanId !== toolA.spanId) {
    const parent = byId.get(clientA.parentSpanId);
    problems.push(
      `A's client span "${hop.client}" is under ${parent ? label(parent) : clientA.parentSpanId}, not under the tool span`,
    );
  }

  // B: the server span joined A's client span (the traceparent crossed the wire).
  const [researchServer] = find(
    ofB,
    `B's server span "${hop.server}" (${expected.serviceB})`,
    (s) => s.spanKind === SERVER && s.name === hop.server,
  );
  roles.researchServer = researchServer;
  if (researchServer && researchServer.kind !== 'workflow') {
    problems.push(`${label(researchServer)} should be a workflow span`);
  }
  if (researchServer && clientA && researchServer.parentSpanId !== clientA.spanId) {
    problems.push(
      `B's server span is not a child of A's client span (the trace did not join across processes)`,
    );
  }

  // B: research agent and its llm call.
  const agentsB = find(ofB, `an agent span in ${expected.serviceB}`, (s) => s.kind === 'agent');
  const agentB = researchServer
    ? agentsB.find((s) => isUnder(s, researchServer, extraB))
    : agentsB[0];
  if (researchServer && agentsB.length > 0 && !agentB) {
    problems.push(`B's agent span ${label(agentsB[0])} is not a child of B's "${hop.server}"`);
  }
  roles.agentB = agentB;
  const llmsB = ofB.filter((s) => s.kind === 'llm' && agentB && isUnder(s, agentB, extraB));
  if (agentB && llmsB.length < 1) problems.push(`no llm span under B's agent ${label(agentB)}`);
  roles.llmsB = llmsB;

  // Inputs and outputs on the spans Galileo shows them for (the server spans too, when the
  // service records them, as the example services do).
  const withIo = [agentA, toolA, ...llmsA, agentB, ...llmsB];
  if (expected.serverIo) withIo.push(askServer, researchServer);
  for (const span of withIo.filter(Boolean)) {
    const io = hasIo(span);
    if (!io.input) problems.push(`${label(span)} has no input`);
    if (!io.output) problems.push(`${label(span)} has no output`);
  }

  // Names as Galileo shows them: agents and model calls in the GenAI convention's form.
  for (const agent of [agentA, agentB].filter(Boolean)) {
    if (!agent.name.startsWith('invoke_agent ')) {
      problems.push(`${label(agent)} should be named "invoke_agent <agent name>"`);
    }
  }
  for (const llm of [...llmsA, ...llmsB]) {
    if (!llm.name.startsWith('chat '))
      problems.push(`${label(llm)} should be named "chat <model>"`);
  }

  // Nothing else: a span outside the shape (a duplicate from tracing registered twice, a
  // framework level the adapter should have folded) is a problem, unless its adapter documents
  // it as an extra level.
  const expectedSpans = new Set(
    [askServer, agentA, toolA, ...llmsA, clientA, researchServer, agentB, ...llmsB].filter(Boolean),
  );
  for (const span of spans) {
    if (expectedSpans.has(span)) continue;
    const extra = span.serviceName === expected.serviceB ? extraB : extraA;
    if (extra.some((match) => match(span))) continue;
    problems.push(`unexpected span ${label(span)}: not part of the two-service shape`);
  }

  // Errors.
  for (const s of spans.filter((x) => x.status?.code === 2)) {
    problems.push(`${label(s)} has status ERROR: ${s.status.message}`);
  }

  // The session id chosen by A, on both sides.
  if (expected.sessionId) {
    for (const [side, list] of [
      ['A', ofA],
      ['B', ofB],
    ]) {
      const missing = list.filter((s) => sessionOf(s) !== expected.sessionId);
      if (list.length > 0 && missing.length > 0) {
        problems.push(
          `${missing.length} of ${list.length} spans of ${side} lack session id ${expected.sessionId}: ` +
            missing.slice(0, 3).map(label).join(', '),
        );
      }
    }
  }

  return { problems, roles };
}

/**
 * The trace as indented lines: name, Galileo kind, service. Children in start order; spans whose
 * parent is missing are listed as extra roots and flagged.
 */
export function formatTree(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  const roots = [];
  for (const span of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else {
      roots.push(span);
    }
  }
  const rows = [];
  const walk = (span, depth) => {
    const kind =
      span.spanKind === CLIENT && span.kind === 'workflow' ? 'workflow (client)' : span.kind;
    const flag = span.parentSpanId && !ids.has(span.parentSpanId) ? '  ORPHAN' : '';
    const error = span.status?.code === 2 ? `  ERROR ${span.status.message}` : '';
    rows.push([
      `${'  '.repeat(depth)}${span.name}`,
      kind,
      span.serviceName ?? '',
      `${flag}${error}`,
    ]);
    for (const child of children.get(span.spanId) ?? []) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  const w1 = Math.max(...rows.map((r) => r[1].length)) + 2;
  return rows.map((r) => `${r[0].padEnd(w0)}${r[1].padEnd(w1)}${r[2]}${r[3]}`.trimEnd()).join('\n');
}
