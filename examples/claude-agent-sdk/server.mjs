// A Claude Agent SDK (@anthropic-ai/claude-agent-sdk) service that is both halves of the
// cross-process demo:
//
//   POST /ask       {"question": "..."}  an orchestrator agent whose tool `delegate_research`
//                                        (an in-process MCP tool) POSTs {"topic"} to
//                                        AGENT_B_URL/research
//   POST /research  {"topic": "..."}     a research agent that returns 3-5 short facts
//   POST /a2a       the same research agent over the Agent2Agent protocol (JSON-RPC), with its
//                   agent card at /.well-known/agent-card.json; AGENT_B_VIA=a2a makes
//                   `delegate_research` call B this way instead of POST /research
//   POST /mcp       the research agent as an MCP server (Streamable HTTP): one tool, `research`
//                   {topic}; `mcp-server.mjs` serves it over stdio
//
// With AGENT_B_MCP (a command that starts B's stdio MCP server, e.g. `node mcp-server.mjs`) or
// AGENT_B_MCP_URL (B's `/mcp` URL), the orchestrator calls B's `research` tool over MCP instead
// of POSTing to AGENT_B_URL: with the official MCP SDK's client in this process, behind an
// in-process tool `research` (why not the CLI's own MCP client: see agentBClient below). Over
// stdio, B is a child process with this service's environment and
// SERVICE_NAME=$AGENT_B_SERVICE_NAME (default research-mcp).
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
import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Role } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { traceA2AClient, traceA2AHandler } from '@galileo-otel/a2a';
import { claudeAgentSdk, claudeAgentSdkQuery } from '@galileo-otel/adapter-claude-agent-sdk';
import {
  registerGalileo,
  tracedFetch,
  traceHttpHandler,
  withGalileoSession,
  workflowAttributes,
} from '@galileo-otel/core';
import { instrumentMcpClient, instrumentMcpServer, mcpFetch } from '@galileo-otel/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { trace } from '@opentelemetry/api';
import express from 'express';
import { z } from 'zod';

const SERVICE_NAME = process.env.SERVICE_NAME ?? 'claude-agent-sdk-service';
const AGENT_B_URL = process.env.AGENT_B_URL ?? 'http://localhost:8001';
const AGENT_B_VIA = process.env.AGENT_B_VIA ?? 'http';
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

// How the tool reaches the research agent: plain HTTP (`POST AGENT_B_URL/research`, the
// default), or the Agent2Agent protocol with AGENT_B_VIA=a2a (B's agent card at AGENT_B_URL,
// then one `SendMessage`).
async function askResearcher(topic) {
  if (AGENT_B_VIA === 'a2a') {
    // traceA2AClient makes the client span and sends `traceparent` + `baggage` with each call.
    // A long-lived app would keep the client; this one reads B's agent card every time.
    const client = traceA2AClient(await new ClientFactory().createFromUrl(AGENT_B_URL));
    const message = { messageId: randomUUID(), role: Role.ROLE_USER, parts: [textPart(topic)] };
    const reply = await client.sendMessage({ message }, { signal: AbortSignal.timeout(60_000) });
    // A message answers; a task here failed (its status message says why).
    const text = (parts = []) => parts.map((p) => p.content?.value ?? '').join('');
    if (!reply.parts) throw new Error(`research agent: ${text(reply.status?.message?.parts)}`);
    return text(reply.parts);
  }
  // tracedFetch makes the client span and sends `traceparent` + `baggage`.
  const response = await tracedFetch(`${AGENT_B_URL}/research`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`research service answered HTTP ${response.status}`);
  return (await response.json()).findings;
}

// Over MCP, B's `research` tool is called with the official MCP SDK's client, from this process.
// The CLI's own MCP client (`mcpServers: { agent_b: { type: 'stdio' | 'http', ... } }`) runs
// inside the CLI, a native binary in another process that no instrumentation here reaches: it
// puts no trace context in `params._meta` (over HTTP it sends at most the `TRACEPARENT` the CLI
// started with, and only with its own beta tracing on), so B's spans would start a trace of
// their own. instrumentMcpClient gives each request a CLIENT span and carries the trace context
// (and the session's baggage) in `_meta`.
const agentB = await agentBClient();

async function agentBClient() {
  let transport;
  if (process.env.AGENT_B_MCP_URL) {
    // mcpFetch: the trace context as HTTP headers too, for servers and proxies that read those.
    transport = new StreamableHTTPClientTransport(new URL(process.env.AGENT_B_MCP_URL), {
      fetch: mcpFetch(),
    });
  } else if (process.env.AGENT_B_MCP) {
    const [command, ...args] = commandLine(process.env.AGENT_B_MCP);
    transport = new StdioClientTransport({ command, args, env: agentBEnv(), stderr: 'inherit' });
  } else return undefined;
  const client = new Client({ name: SERVICE_NAME, version: '1.0.0' });
  if (TRACING) instrumentMcpClient(client);
  await client.connect(transport);
  return client;
}

// The orchestrator's one tool, in an in-process MCP server (made per query, as a server serves
// one query): the CLI names it `mcp__<server>__<tool>`. Its body runs in this process with the
// tool's `execute_tool` span active (the adapter sees to that), so the client span of the call
// to B nests under the tool call.
const TOOL = agentB
  ? { server: 'agent_b', name: 'research' } // hands the call to B's own `research` tool
  : { server: 'research', name: 'delegate_research' }; // askResearcher: HTTP or A2A

function toolServer() {
  const run = agentB
    ? (args) => agentB.callTool({ name: 'research', arguments: args })
    : async ({ topic }) => ({ content: [{ type: 'text', text: await askResearcher(topic) }] });
  const tool = sdk.tool(
    TOOL.name,
    'Ask the research agent for facts about a topic.',
    { topic: z.string().describe('What to research') },
    run,
    { alwaysLoad: true },
  );
  return sdk.createSdkMcpServer({ name: TOOL.server, version: '1.0.0', tools: [tool] });
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
          systemPrompt: `Use ${TOOL.name} to gather facts, then answer the user clearly.`,
          tools: [],
          mcpServers: { [TOOL.server]: toolServer() },
          allowedTools: [`mcp__${TOOL.server}__${TOOL.name}`],
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
  // The `POST /research` server span, or over MCP the `tools/call research` one.
  trace.getActiveSpan()?.setAttributes(workflowAttributes({ input: topic, output: findings }));
  return { findings };
}

// ---- Agent B over A2A ---------------------------------------------------------------------

// The same research agent, served with the Agent2Agent SDK: its agent card at
// /.well-known/agent-card.json, JSON-RPC at /a2a. traceA2AHandler gives each call a SERVER span
// joined to the caller's `traceparent` and runs the agent under it, with the caller's baggage.
const researchCard = {
  name: 'research_agent',
  description: 'Returns 3-5 concise key facts about a topic.',
  version: '1.0.0',
  // The URL is filled in once the server listens.
  supportedInterfaces: [{ url: '', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
  capabilities: { streaming: true },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
};
const researchExecutor = {
  async execute(request, bus) {
    const topic = request.userMessage.parts.map((p) => p.content?.value ?? '').join('');
    const { findings } = await research({ topic });
    bus.publish(
      AgentEvent.message({
        messageId: randomUUID(),
        contextId: request.contextId,
        role: Role.ROLE_AGENT,
        parts: [textPart(findings)],
      }),
    );
    bus.finished();
  },
  async cancelTask() {},
};
const a2aHandler = traceA2AHandler(
  new DefaultRequestHandler(researchCard, new InMemoryTaskStore(), researchExecutor),
);
const a2a = express();
a2a.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: a2aHandler }));
a2a.use(
  '/a2a',
  jsonRpcHandler({ requestHandler: a2aHandler, userBuilder: UserBuilder.noAuthentication }),
);

function textPart(text) {
  return { content: { $case: 'text', value: text }, mediaType: 'text/plain' };
}

// ---- Agent B over MCP ---------------------------------------------------------------------

/** The research agent as an MCP server with one tool, `research`. */
function researchMcpServer() {
  const server = new McpServer({ name: 'research', version: '1.0.0' });
  server.registerTool(
    'research',
    {
      description: 'Ask the research agent for facts about a topic.',
      inputSchema: { topic: z.string().describe('What to research') },
    },
    async ({ topic }) => ({
      content: [{ type: 'text', text: (await research({ topic })).findings }],
    }),
  );
  // A SERVER span per served request, joined to the caller's context from `params._meta`.
  return TRACING ? instrumentMcpServer(server) : server;
}

/** Serves the research agent on stdin and `stdout` (`mcp-server.mjs`) until stdin closes. */
export async function serveMcpStdio(stdout = process.stdout) {
  await researchMcpServer().connect(new StdioServerTransport(process.stdin, stdout));
  process.stdin.once('end', async () => {
    await galileo?.shutdown();
    process.exit(0);
  });
}

// Stateless Streamable HTTP: a server and a transport per request.
async function serveMcpHttp(req, res) {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only (stateless MCP)' });
  const server = researchMcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, await readJson(req));
  } catch (error) {
    if (!res.headersSent) sendJson(res, error.status ?? 500, { error: error.message });
  }
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
  // A2A has its own SERVER spans (traceA2AHandler): not inside an HTTP one.
  if (req.url === '/a2a' || req.url === '/.well-known/agent-card.json') return a2a(req, res);
  // Not traceHttpHandler: the MCP request's SERVER span is the one that joins the caller.
  if (req.url === '/mcp') return serveMcpHttp(req, res);
  // Operational routes stay out of traces.
  if (route === 'GET /health') return sendJson(res, 200, { status: 'ok', service: SERVICE_NAME });
  if (route === 'GET /stats') return sendJson(res, 200, galileo?.processor.stats() ?? {});
  if (route === 'POST /flush') {
    await galileo?.forceFlush(); // exports every finished span now instead of within 5 s
    return sendJson(res, 200, galileo?.processor.stats() ?? {});
  }
  sendJson(res, 404, { error: `no route ${route}` });
});

// HTTP when run as `node server.mjs`; `mcp-server.mjs` imports this file to serve over stdio.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1', () => {
    const { address, port } = server.address();
    researchCard.supportedInterfaces[0].url = `http://${address}:${port}/a2a`;
    console.log(`${SERVICE_NAME} (claude-agent-sdk) listening on http://${address}:${port}`);
  });
}

// Flush queued spans before the process goes away.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    server.close();
    await agentB?.close(); // a stdio B flushes its spans and exits when its stdin closes
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

/** A command line from the environment: a JSON array, or words separated by spaces. */
function commandLine(text) {
  return text.trim().startsWith('[') ? JSON.parse(text) : text.trim().split(/\s+/);
}

/** B's environment over stdio: this service's, under B's own name, with no B of its own. */
function agentBEnv() {
  const { AGENT_B_MCP, AGENT_B_MCP_URL, ...env } = process.env;
  return { ...env, SERVICE_NAME: process.env.AGENT_B_SERVICE_NAME ?? 'research-mcp' };
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
