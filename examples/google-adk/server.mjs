// A Google ADK (`@google/adk` 2.x) service that is both halves of the cross-process demo:
//
//   POST /ask       {"question": "..."}  an orchestrator agent whose tool `delegate_research`
//                                        POSTs {"topic"} to AGENT_B_URL/research
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
// GALILEO_API_ENDPOINT for a local receiver: `npx -p @galileo-otel/devtools galileo-otel dev`), GOOGLE_API_KEY (or
// GEMINI_API_KEY) and optionally GOOGLE_GEMINI_BASE_URL / GEMINI_MODEL.
//
// GALILEO_OTEL=off runs the same service without galileo-otel (the baseline of the end-to-end
// benchmark): no tracer provider is registered and the runners get no Galileo plugin, so ADK's
// own spans go to the no-op tracer. traceHttpHandler, tracedFetch, withGalileoSession and
// runInContext stay in the code: with no provider they make no spans and send no trace headers,
// and the call to B works as before.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import {
  googleAdk,
  googleAdkPlugin,
  googleAdkTracing,
  runInContext,
} from '@galileo-otel/adapter-google-adk';
import {
  registerGalileo,
  tracedFetch,
  traceHttpHandler,
  withGalileoSession,
  workflowAttributes,
} from '@galileo-otel/core';
import { FunctionTool, InMemoryRunner, LlmAgent } from '@google/adk';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';

const SERVICE_NAME = process.env.SERVICE_NAME ?? 'google-adk-service';
const AGENT_B_URL = process.env.AGENT_B_URL ?? 'http://localhost:8001';
const MODEL = process.env.GEMINI_MODEL ?? 'gemini-2.5-flash';
const APP_NAME = 'galileo-otel-demo';
const TRACING = process.env.GALILEO_OTEL !== 'off';

// First: the tracer provider with the Galileo processor. ADK emits OpenTelemetry spans itself;
// the adapter reshapes them for Galileo (invocation, agent, llm, tool) and connects ADK's own
// pinned copy of @opentelemetry/api to this provider, so the import order above does not matter.
const galileo = TRACING
  ? registerGalileo({ serviceName: SERVICE_NAME, adapters: [googleAdk()] })
  : undefined;
// The adapter finds @google/adk from the working directory. In a monorepo the copy this file
// imports can sit in a nested node_modules instead; name it, or ADK's spans are silently lost
// when the process is started from another folder.
if (TRACING) googleAdkTracing({ searchFrom: [import.meta.url] });

// ---- Agent A: the orchestrator ------------------------------------------------------------

const delegateResearch = new FunctionTool({
  name: 'delegate_research',
  description: 'Ask the research agent for facts about a topic.',
  parameters: z.object({ topic: z.string().describe('What to research') }),
  async execute({ topic }) {
    // tracedFetch makes the client span and sends `traceparent` + `baggage`, so the research
    // service's spans join this trace under this tool call (ADK runs tools with their span
    // active).
    const response = await tracedFetch(`${AGENT_B_URL}/research`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) throw new Error(`research service answered HTTP ${response.status}`);
    return { findings: (await response.json()).findings };
  },
});

const orchestrator = new LlmAgent({
  name: 'orchestrator',
  model: MODEL,
  instruction: 'Use delegate_research to gather facts, then answer the user clearly.',
  tools: [delegateResearch],
});

// The plugin records what ADK's own spans miss: tool and model errors, streamed output.
const plugins = () => (TRACING ? [googleAdkPlugin()] : []);
const orchestratorRunner = new InMemoryRunner({
  agent: orchestrator,
  appName: APP_NAME,
  plugins: plugins(),
});

async function ask({ question, sessionId = `session-${randomUUID()}` }) {
  if (typeof question !== 'string' || question === '')
    throw new HttpError(400, '"question" is required');
  // The session id goes into W3C baggage: every span of this run, here and in the research
  // service, carries it, so Galileo groups the turns of one conversation.
  return withGalileoSession({ sessionId }, async () => {
    const answer = await runAgent(orchestratorRunner, question);
    const span = trace.getActiveSpan(); // the `POST /ask` server span
    span?.setAttributes(workflowAttributes({ input: question, output: answer }));
    return { answer, sessionId, traceId: span?.spanContext().traceId };
  });
}

// ---- Agent B: the researcher --------------------------------------------------------------

const researcher = new LlmAgent({
  name: 'research_agent',
  model: MODEL,
  instruction: 'Return 3-5 concise key facts about the topic.',
});

const researchRunner = new InMemoryRunner({
  agent: researcher,
  appName: APP_NAME,
  plugins: plugins(),
});

async function research({ topic }) {
  if (typeof topic !== 'string' || topic === '') throw new HttpError(400, '"topic" is required');
  const findings = await runAgent(researchRunner, topic);
  trace.getActiveSpan()?.setAttributes(workflowAttributes({ input: topic, output: findings }));
  return { findings };
}

/** Runs one message through a fresh ADK session and returns the final text. */
async function runAgent(runner, text) {
  const session = await runner.sessionService.createSession({ appName: APP_NAME, userId: 'user' });
  let final = '';
  // ADK starts its `invocation` span in the OTel context active at the generator's first
  // next(), not where runAsync() is called: runInContext binds it to this request's context
  // (the server span), so the run joins the caller's trace even if the events are consumed
  // elsewhere. Drain it fully.
  const events = runInContext(
    runner.runAsync({
      userId: 'user',
      sessionId: session.id,
      newMessage: { role: 'user', parts: [{ text }] },
    }),
  );
  for await (const event of events) {
    const part = event.content?.parts?.find((p) => p.text);
    if (part && !event.partial) final = part.text;
  }
  return final;
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
  console.log(`${SERVICE_NAME} (google-adk) listening on http://${address}:${port}`);
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
