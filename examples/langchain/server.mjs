// A LangChain.js / LangGraph.js service that is both halves of the cross-process demo:
//
//   POST /ask       {"question": "..."}  an orchestrator agent (LangGraph, via createAgent) whose
//                                        tool `delegate_research` POSTs {"topic"} to
//                                        AGENT_B_URL/research
//   POST /research  {"topic": "..."}     a research graph: a retriever over a small in-memory
//                                        document set, then a model call for 3-5 short facts
//   POST /a2a       the same research graph over the Agent2Agent protocol (JSON-RPC), with its
//                   agent card at /.well-known/agent-card.json; AGENT_B_VIA=a2a makes
//                   `delegate_research` call B this way instead of POST /research
//   POST /mcp       the research graph as an MCP server (Streamable HTTP): one tool, `research`
//                   {topic}; `mcp-server.mjs` serves it over stdio
//
// With AGENT_B_MCP (a command that starts B's stdio MCP server, e.g. `node mcp-server.mjs`) or
// AGENT_B_MCP_URL (B's `/mcp` URL), the orchestrator calls B's `research` tool over MCP, with the
// official MCP SDK's client (LangChain has no MCP client of its own in the packages this example
// uses), instead of POSTing to AGENT_B_URL. Over stdio, B is a child process with this service's
// environment and SERVICE_NAME=$AGENT_B_SERVICE_NAME (default research-mcp).
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
// OPENAI_API_KEY and optionally OPENAI_BASE_URL / OPENAI_MODEL / OPENAI_EMBEDDING_MODEL.
//
// GALILEO_OTEL=off runs the same service without galileo-otel (the baseline of the end-to-end
// benchmark): no tracer provider is registered and no callback handler is installed.
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
import { langchain } from '@galileo-otel/adapter-langchain';
import {
  registerGalileo,
  tracedFetch,
  traceHttpHandler,
  withGalileoSession,
  workflowAttributes,
} from '@galileo-otel/core';
import { instrumentMcpClient, instrumentMcpServer, mcpFetch } from '@galileo-otel/mcp';
import { Document } from '@langchain/core/documents';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { BaseRetriever } from '@langchain/core/retrievers';
import { tool } from '@langchain/core/tools';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { trace } from '@opentelemetry/api';
import express from 'express';
import { createAgent } from 'langchain';
import { z } from 'zod';

const SERVICE_NAME = process.env.SERVICE_NAME ?? 'langchain-service';
const AGENT_B_URL = process.env.AGENT_B_URL ?? 'http://localhost:8001';
const AGENT_B_VIA = process.env.AGENT_B_VIA ?? 'http';
const MODEL = process.env.OPENAI_MODEL ?? 'gpt-4.1-mini';
const EMBEDDING_MODEL = process.env.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small';
const TRACING = process.env.GALILEO_OTEL !== 'off';

// First: the tracer provider with the Galileo processor. The adapter adds a callback handler to
// every LangChain run of the process (no `callbacks` to pass anywhere), which turns graphs, nodes,
// model calls, tools and retrievers into spans in the current trace.
const galileo = TRACING
  ? registerGalileo({ serviceName: SERVICE_NAME, adapters: [langchain()] })
  : undefined;

// OPENAI_API_KEY and OPENAI_BASE_URL configure both clients. `streaming` stays off: with it,
// invoke() estimates token counts with a tokenizer it downloads first.
const chatModel = new ChatOpenAI({ model: MODEL, maxRetries: 1 });
const embeddings = new OpenAIEmbeddings({ model: EMBEDDING_MODEL, maxRetries: 1 });

// ---- Agent A: the orchestrator ------------------------------------------------------------

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

const delegateResearch = tool(
  // The research service's spans join this trace under this tool call: the adapter makes the
  // tool span the active OTel span while the tool runs, and askResearcher's client span (HTTP
  // or A2A) carries it over.
  async ({ topic }) => askResearcher(topic),
  {
    name: 'delegate_research',
    description: 'Ask the research agent for facts about a topic.',
    schema: z.object({ topic: z.string().describe('What to research') }),
  },
);

// Over MCP, the orchestrator's tool is B's `research` tool, called with the MCP SDK's client.
// instrumentMcpClient gives each request a CLIENT span and carries the trace context in
// `params._meta`; the LangChain tool span is the active span the call runs under.
const agentB = await agentBClient();
const researchOverMcp =
  agentB &&
  tool(
    async ({ topic }) => {
      const result = await agentB.callTool({ name: 'research', arguments: { topic } });
      const text = result.content.map((part) => part.text ?? '').join('');
      if (result.isError) throw new Error(`research agent: ${text}`);
      return text;
    },
    {
      name: 'research',
      description: 'Ask the research agent for facts about a topic.',
      schema: z.object({ topic: z.string().describe('What to research') }),
    },
  );

const orchestrator = createAgent({
  name: 'orchestrator',
  model: chatModel,
  systemPrompt: `Use ${researchOverMcp ? 'research' : 'delegate_research'} to gather facts, then answer the user clearly.`,
  tools: [researchOverMcp ?? delegateResearch],
});

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

async function ask({ question, sessionId = `session-${randomUUID()}` }) {
  if (typeof question !== 'string' || question === '')
    throw new HttpError(400, '"question" is required');
  // The session id goes into W3C baggage: every span of this run, here and in the research
  // service, carries it, so Galileo groups the turns of one conversation.
  return withGalileoSession({ sessionId }, async () => {
    const result = await orchestrator.invoke({ messages: [{ role: 'user', content: question }] });
    const answer = result.messages.at(-1)?.text ?? '';
    const span = trace.getActiveSpan(); // the `POST /ask` server span
    span?.setAttributes(workflowAttributes({ input: question, output: answer }));
    return { answer, sessionId, traceId: span?.spanContext().traceId };
  });
}

// ---- Agent B: the researcher --------------------------------------------------------------

/** A few notes to search; embedded once, with the same client as the queries. */
const NOTES = [
  'Voyager 1 was launched by NASA in 1977 and crossed into interstellar space in 2012.',
  'The Kepler space telescope found thousands of exoplanets by watching stars dim.',
  'Cassini orbited Saturn for 13 years and ended its mission by diving into the planet.',
  'The Hubble Space Telescope has observed the universe from low Earth orbit since 1990.',
  'New Horizons flew past Pluto in 2015 and sent back the first close-up images.',
].map((text, i) => new Document({ pageContent: text, id: `note-${i + 1}` }));

/** A retriever over NOTES: cosine similarity of embeddings, in memory. */
class KnowledgeBase extends BaseRetriever {
  lc_namespace = ['galileo_otel', 'examples'];
  #vectors;

  constructor({ k = 2 } = {}) {
    super();
    this.k = k;
  }

  /** The notes' vectors, computed once (again after a failure). */
  vectors() {
    this.#vectors ??= embeddings.embedDocuments(NOTES.map((d) => d.pageContent)).catch((error) => {
      this.#vectors = undefined;
      throw error;
    });
    return this.#vectors;
  }

  async _getRelevantDocuments(query) {
    const [vectors, q] = await Promise.all([this.vectors(), embeddings.embedQuery(query)]);
    return NOTES.map((doc, i) => ({ doc, score: cosine(vectors[i], q) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, this.k)
      .map(({ doc, score }) => new Document({ ...doc, metadata: { score: round(score) } }));
  }
}

const knowledgeBase = new KnowledgeBase();
// Embed the notes as the service starts; a failure is retried at the first search.
knowledgeBase.vectors().catch(() => {});

const ResearchState = Annotation.Root({
  topic: Annotation(),
  notes: Annotation(),
  findings: Annotation(),
});

// Two nodes, `retrieve` and `summarize`: Galileo shows them as workflow spans under the
// `invoke_agent research_agent` span, with the retriever and the model call inside.
const researcher = new StateGraph(ResearchState)
  .addNode('retrieve', async ({ topic }) => ({
    notes: await knowledgeBase.invoke(topic, { runName: 'knowledge_base' }),
  }))
  .addNode('summarize', async ({ topic, notes }) => {
    const context = notes.map((note) => `- ${note.pageContent}`).join('\n');
    const reply = await chatModel.invoke([
      new SystemMessage(`Return 3-5 concise key facts about the topic. Notes:\n${context}`),
      new HumanMessage(topic),
    ]);
    return { findings: reply.text };
  })
  .addEdge(START, 'retrieve')
  .addEdge('retrieve', 'summarize')
  .addEdge('summarize', END)
  .compile({ name: 'research_agent' });

async function research({ topic }) {
  if (typeof topic !== 'string' || topic === '') throw new HttpError(400, '"topic" is required');
  const { findings } = await researcher.invoke({ topic });
  trace.getActiveSpan()?.setAttributes(workflowAttributes({ input: topic, output: findings }));
  return { findings };
}

// ---- Agent B over A2A ---------------------------------------------------------------------

// The same research graph, served with the Agent2Agent SDK: its agent card at
// /.well-known/agent-card.json, JSON-RPC at /a2a. traceA2AHandler gives each call a SERVER span
// joined to the caller's `traceparent` and runs the graph under it, with the caller's baggage.
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

/** The research graph as an MCP server with one tool, `research`. */
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

/** Serves the research graph on stdin and `stdout` (`mcp-server.mjs`) until stdin closes. */
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
const traced = traceHttpHandler(async (req, res) => {
  try {
    const body = await readJson(req);
    sendJson(res, 200, req.url === '/ask' ? await ask(body) : await research(body));
  } catch (error) {
    sendJson(res, error.status ?? 500, { error: error.message });
  }
});

const server = createServer(async (req, res) => {
  const route = `${req.method} ${req.url}`;
  if (route === 'POST /ask' || route === 'POST /research') return traced(req, res);
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
    console.log(`${SERVICE_NAME} (langchain) listening on http://${address}:${port}`);
  });
}

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

function commandLine(text) {
  return text.trim().startsWith('[') ? JSON.parse(text) : text.trim().split(/\s+/);
}

// B over stdio gets this service's environment, minus the variables that would make it start a
// B of its own, under its own service name.
function agentBEnv() {
  const { AGENT_B_MCP, AGENT_B_MCP_URL, ...env } = process.env;
  return { ...env, SERVICE_NAME: process.env.AGENT_B_SERVICE_NAME ?? 'research-mcp' };
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}
