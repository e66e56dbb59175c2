// Agent B: a Google ADK research agent behind POST /research.
// The TypeScript twin of the seed's agent_b.py. Run: node agent_b.mjs (port 8001).
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  googleAdk,
  googleAdkPlugin,
  googleAdkTracing,
  runInContext,
} from '@galileo-otel/adapter-google-adk';
import { registerGalileo, traceHttpHandler } from '@galileo-otel/core';
import { InMemoryRunner, LlmAgent } from '@google/adk';

if (existsSync('.env')) process.loadEnvFile('.env'); // like load_dotenv()

// Reads GALILEO_API_KEY, GALILEO_PROJECT and GALILEO_LOG_STREAM from the environment and exports
// OTLP straight to Galileo. No collector required. ADK emits its own OTel spans; the adapter
// shapes them for Galileo.
const galileo = registerGalileo({ serviceName: 'agent-b', adapters: [googleAdk()] });
// The adapter finds @google/adk from the working directory. In a monorepo the copy this file
// imports can sit in a nested node_modules instead; name it, or ADK's spans are silently lost
// when the process is started from another folder.
googleAdkTracing({ searchFrom: [import.meta.url] });

const agent = new LlmAgent({
  model: 'gemini-2.5-flash',
  name: 'research_agent',
  instruction: 'Return 3-5 concise key facts about the topic.',
});
// The plugin records what ADK's own spans miss: model errors, tool errors, streamed output.
const runner = new InMemoryRunner({
  agent,
  appName: 'otel-dt-demo',
  plugins: [googleAdkPlugin()],
});

async function research(topic) {
  const session = await runner.sessionService.createSession({
    appName: 'otel-dt-demo',
    userId: 'user',
  });
  let findings = '';
  // Drain the full generator. runInContext: ADK starts its spans in the OTel context active at
  // the first next(); bind that to this request (the server span), wherever it is iterated.
  for await (const event of runInContext(
    runner.runAsync({
      userId: 'user',
      sessionId: session.id,
      newMessage: { role: 'user', parts: [{ text: topic }] },
    }),
  )) {
    const text = event.content?.parts?.[0]?.text;
    if (text && !event.partial) findings = text;
  }
  return findings;
}

// traceHttpHandler: a server span per request, joined to the caller's `traceparent`.
const server = createServer(
  traceHttpHandler(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/research') return res.writeHead(404).end();
    try {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { topic } = JSON.parse(body);
      sendJson(res, 200, { findings: await research(topic) });
    } catch (error) {
      sendJson(res, 500, { error: error.message });
    }
  }),
);
server.listen(Number(process.env.PORT ?? 8001), 'localhost', () => {
  console.log(`agent-b listening on http://localhost:${server.address().port}`);
});

// Ctrl-C / SIGTERM: export the spans still queued, then exit.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => galileo.shutdown().finally(() => process.exit(0)));
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
