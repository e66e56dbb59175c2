// An MCP server for the tests, as a real OS process: the official SDK's McpServer (1.x) over
// stdio (default) or Streamable HTTP on loopback (MCP_TRANSPORT=http, prints `listening on
// <url>`). MCP_INSTRUMENT: `instance` (instrumentMcpServer(server), default), `class`
// (instrumentMcp()), or `none` (a plain server with no tracing at all: nothing registered).
//
// Tools:
//   research {topic}  a span `research work` below the SERVER span; answers with the topic, the
//                     `_meta` trace fields and HTTP `traceparent` header it saw, and its trace id
//   fail              throws (the SDK turns it into an `isError` result)
//   die               exits the process in the middle of the call
//   stats             mcpStats() of this process
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { registerGalileo } from '@galileo-otel/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';
import { instrumentMcp, instrumentMcpServer, mcpStats } from '../../dist/index.js';

const MODE = process.env.MCP_INSTRUMENT ?? 'instance';
const galileo =
  MODE === 'none' ? undefined : registerGalileo({ serviceName: process.env.SERVICE_NAME ?? 'mcp-server' });
if (MODE === 'class') instrumentMcp({ searchFrom: [import.meta.url] });

function newServer() {
  const server = new McpServer({ name: 'research', version: '1.0.0' });
  server.registerTool(
    'research',
    { description: 'Facts about a topic.', inputSchema: { topic: z.string() } },
    async ({ topic }, extra) => {
      const tracer = trace.getTracer('research-fixture');
      await tracer.startActiveSpan('research work', async (span) => {
        // Interleave concurrent calls: answer in an order other than the one they came in.
        await new Promise((resolve) => setTimeout(resolve, (topic.length * 7) % 23));
        span.end();
      });
      const seen = {
        topic,
        meta: extra._meta ?? {},
        header: extra.requestInfo?.headers?.traceparent ?? null,
        // The trace the handler runs in (the SERVER span's, when the server is traced).
        traceId: trace.getActiveSpan()?.spanContext().traceId ?? null,
      };
      return { content: [{ type: 'text', text: JSON.stringify(seen) }] };
    },
  );
  server.registerTool('fail', { description: 'Always fails.' }, async () => {
    throw new Error('tool blew up');
  });
  server.registerTool('die', { description: 'Exits mid-call.' }, async () => {
    setImmediate(() => process.exit(3));
    return new Promise(() => {});
  });
  server.registerTool('stats', { description: 'Instrumentation counters.' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify(mcpStats()) }],
  }));
  return MODE === 'instance' ? instrumentMcpServer(server) : server;
}

async function shutdown() {
  await galileo?.shutdown();
  process.exit(0);
}
process.once('SIGTERM', shutdown);

if (process.env.MCP_TRANSPORT === 'http') {
  // Stateful Streamable HTTP: one transport and server per session, as the SDK documents.
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    let body;
    if (req.method === 'POST') {
      let text = '';
      for await (const chunk of req) text += chunk;
      body = JSON.parse(text);
    }
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!transport) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => sessions.set(sessionId, transport),
      });
      await newServer().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  });
  http.listen(0, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${http.address().port}/mcp`);
  });
} else {
  // stdout is the protocol: nothing else may print there.
  console.log = console.error;
  await newServer().connect(new StdioServerTransport());
  process.stdin.once('end', shutdown);
}
