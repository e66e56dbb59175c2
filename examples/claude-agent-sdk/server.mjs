// A Claude Agent SDK (@anthropic-ai/claude-agent-sdk) service that is both halves of the
// cross-process demo:
//
//   POST /ask       {"question": "..."}  an orchestrator agent whose tool `delegate_research`
//                                        (an in-process MCP tool) POSTs {"topic"} to
//                                        AGENT_B_URL/research
//   POST /research  {"topic": "..."}     a research agent that returns 3-5 short facts
//
// Every request becomes spans in Galileo, and a request that crosses to another service (any
// framework, any language) stays in ONE trace: the W3C `traceparent` header carries it over.
//
//   PORT=8001 SERVICE_NAME=agent-b node server.mjs
//   PORT=8000 SERVICE_NAME=agent-a AGENT_B_URL=http://localhost:8001 node server.mjs
//   curl -s localhost:8000/ask -H 'content-type: application/json' -d '{"question":"Tell me about Voyager 1."}'
//
// Settings come from the environment: GALILEO_API_KEY, GALILEO_PROJECT, GALILEO_LOG_STREAM (or
// GALILEO_API_ENDPOINT for a local receiver: `npx -p @galileo-otel/devtools galileo-otel dev`),
// ANTHROPIC_API_KEY and optionally ANTHROPIC_BASE_URL / ANTHROPIC_MODEL. Every query runs the
// Claude Code CLI as a child process, which gets this environment.
//
// GALILEO_OTEL=off runs the same service without galileo-otel (the baseline of the end-to-end
// benchmark): no tracer provider is registered and `query` is the SDK's own, unwrapped.
// traceHttpHandler, tracedFetch and withGalileoSession stay in the code: with no provider they
// make no spans and send no trace headers, and the call to B works as before.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { claudeAgentSdk, claudeAgentSdkQuery } from '@galileo-otel/adapter-claude-agent-sdk';
import {
  registerGalileo,
  tracedFetch,
  traceHttpHandler,
  withGalileoSession,
  workflowAttributes,
} from '@galileo-otel/core';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';

const SERVICE_NAME = process.env.SERVICE_NAME ?? 'claude-agent-sdk-service';
const AGENT_B_URL = process.env.AGENT_B_URL ?? 'http://localhost:8001';
const MODEL = process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-5';
const TRACING = process.env.GALILEO_OTEL !== 'off';

// The SDK is an optional peer of the adapter and this repository's `npm install` leaves it out
// (its CLI is a 490 MB native binary); in an app, import it like any other package.
const sdk = await import('@anthropic-ai/claude-agent-sdk').catch((error) => {
  if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  console.error(
    'The Claude Agent SDK is not installed here. Install it once with\n' +
      '  node scripts/claude-agent-sdk.mjs --link examples/claude-agent-sdk\n' +
      'from the repository root (npm run demo -- --from claude-agent-sdk does it for you).',
  );
  process.exit(3);
});

// First: the tracer provider with the Galileo processor and the adapter. The SDK has no
// process-wide hook, so its `query` is wrapped once: every run of it becomes spans in the
// current trace (model calls, tools, subagents).
const galileo = TRACING
  ? registerGalileo({ serviceName: SERVICE_NAME, adapters: [claudeAgentSdk()] })
  : undefined;
const traced = (agentName) => (TRACING ? claudeAgentSdkQuery(sdk.query, { agentName }) : sdk.query);

/** What every query shares: no settings files, no session files, no traffic but the model's. */
const base = {
  model: MODEL,
  settingSources: [],
  persistSession: false,
  maxTurns: 4,
  env: { ...process.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
};

/** The text of a query's last `result` (a run with background agents has several). */
async function resultOf(run) {
  let answer = '';
  for await (const message of run) {
    if (message.type === 'result') answer = message.result ?? answer;
  }
  return answer;
}

// ---- Agent A: the orchestrator ------------------------------------------------------------

const orchestratorQuery = traced('orchestrator');

/** An in-process MCP server with the one tool; made per query, as a server serves one query. */
function researchServer() {
  const delegateResearch = sdk.tool(
    'delegate_research',
    'Ask the research agent for facts about a topic.',
    { topic: z.string().describe('What to research') },
    async ({ topic }) => {
      // tracedFetch makes the client span and sends `traceparent` + `baggage`, so the research
      // service's spans join this trace under this tool call (the adapter runs in-process MCP
      // tools with their tool span active).
      const response = await tracedFetch(`${AGENT_B_URL}/research`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!response.ok) throw new Error(`research service answered HTTP ${response.status}`);
      return { content: [{ type: 'text', text: (await response.json()).findings }] };
    },
    { alwaysLoad: true },
  );
  return sdk.createSdkMcpServer({ name: 'research', version: '1.0.0', tools: [delegateResearch] });
}

async function ask({ question, sessionId = `session-${randomUUID()}` }) {
  if (typeof question !== 'string' || question === '')
    throw new HttpError(400, '"question" is required');
  // The session id goes into W3C baggage: every span of this run, here and in the research
  // service, carries it, so Galileo groups the turns of one conversation.
  return withGalileoSession({ sessionId }, async () => {
    const answer = await resultOf(
      orchestratorQuery({
        prompt: question,
        options: {
          ...base,
          systemPrompt: 'Use delegate_research to gather facts, then answer the user clearly.',
          tools: [],
          mcpServers: { research: researchServer() },
          allowedTools: ['mcp__research__delegate_research'],
        },
      }),
    );
    const span = trace.getActiveSpan(); // the `POST /ask` server span
    span?.setAttributes(workflowAttributes({ input: question, output: answer }));
    return { answer, sessionId, traceId: span?.spanContext().traceId };
  });
}

// ---- Agent B: the researcher --------------------------------------------------------------

const researchQuery = traced('research_agent');

async function research({ topic }) {
  if (typeof topic !== 'string' || topic === '') throw new HttpError(400, '"topic" is required');
  const findings = await resultOf(
    researchQuery({
      prompt: topic,
      options: {
        ...base,
        systemPrompt: 'Return 3-5 concise key facts about the topic.',
        tools: [],
        maxTurns: 1,
      },
    }),
  );
  trace.getActiveSpan()?.setAttributes(workflowAttributes({ input: topic, output: findings }));
  return { findings };
}

// ---- HTTP -------------------------------------------------------------------------------

// traceHttpHandler starts a SERVER span per request, joined to the caller's `traceparent`.
const handle = traceHttpHandler(async (req, res) => {
  try {
    const body = await readJson(req);
    sendJson(res, 200, req.url === '/ask' ? await ask(body) : await research(body));
  } catch (error) {
    sendJson(res, error.status ?? 500, { error: error.message });
  }
});

const server = createServer(async (req, res) => {
  const route = `${req.method} ${req.url}`;
  if (route === 'POST /ask' || route === 'POST /research') return handle(req, res);
  // Operational routes stay out of traces.
  if (route === 'GET /health') return sendJson(res, 200, { status: 'ok', service: SERVICE_NAME });
  if (route === 'GET /stats') return sendJson(res, 200, galileo?.processor.stats() ?? {});
  if (route === 'POST /flush') {
    await galileo?.forceFlush(); // exports every finished span now instead of within 5 s
    return sendJson(res, 200, galileo?.processor.stats() ?? {});
  }
  sendJson(res, 404, { error: `no route ${route}` });
});

server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`${SERVICE_NAME} (claude-agent-sdk) listening on http://${address}:${port}`);
});

// Flush queued spans before the process goes away.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    server.close();
    await galileo?.shutdown();
    process.exit(0);
  });
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text || '{}');
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
