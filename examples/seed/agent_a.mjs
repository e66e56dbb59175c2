// Agent A: an OpenAI Agents orchestrator behind POST /ask that calls Agent B over HTTP.
// The TypeScript twin of the seed's agent_a.py. Run: node agent_a.mjs (port 8000).
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { openaiAgents } from '@galileo-otel/adapter-openai-agents';
import { registerGalileo, tracedFetch, traceHttpHandler } from '@galileo-otel/core';
import { Agent, run, tool } from '@openai/agents';
import { z } from 'zod';

if (existsSync('.env')) process.loadEnvFile('.env'); // like load_dotenv()

// Set the global tracer provider first. Reads GALILEO_API_KEY, GALILEO_PROJECT and
// GALILEO_LOG_STREAM; the adapter turns every agent run into OTel spans (and stops the SDK's
// own trace export to OpenAI).
const galileo = registerGalileo({ serviceName: 'agent-a', adapters: [openaiAgents()] });

const AGENT_B_URL = process.env.AGENT_B_URL;
if (!AGENT_B_URL) throw new Error('Set AGENT_B_URL, e.g. AGENT_B_URL=http://localhost:8001');

const delegateResearch = tool({
  name: 'delegate_research',
  description: 'Ask the research agent for facts about a topic.',
  parameters: z.object({ topic: z.string() }),
  async execute({ topic }) {
    // tracedFetch injects `traceparent` on the outbound HTTP call (RequestsInstrumentor's job in
    // the Python seed), so Agent B's spans join this trace under this tool call.
    const r = await tracedFetch(`${AGENT_B_URL}/research`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!r.ok) throw new Error(`Agent B answered HTTP ${r.status}`);
    return (await r.json()).findings;
  },
});

const orchestrator = new Agent({
  name: 'OrchestratorAgent',
  model: 'gpt-4.1-mini',
  instructions: 'Use delegate_research to gather facts, then answer the user clearly.',
  tools: [delegateResearch],
});

// traceHttpHandler: a server span per request (FastAPIInstrumentor's job in the Python seed).
const server = createServer(
  traceHttpHandler(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/ask') return res.writeHead(404).end();
    try {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { question } = JSON.parse(body);
      const result = await run(orchestrator, question);
      sendJson(res, 200, { answer: String(result.finalOutput) });
    } catch (error) {
      sendJson(res, 500, { error: error.message });
    }
  }),
);
server.listen(Number(process.env.PORT ?? 8000), 'localhost', () => {
  console.log(`agent-a listening on http://localhost:${server.address().port}`);
});

// Ctrl-C / SIGTERM: export the spans still queued, then exit. `on`, not `once`: the OpenAI Agents
// SDK's own signal handler exits the process as soon as no other listener is left, mid-flush.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => galileo.shutdown().finally(() => process.exit(0)));
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
