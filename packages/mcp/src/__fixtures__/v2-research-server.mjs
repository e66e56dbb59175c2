// The 2.x line's McpServer (`@modelcontextprotocol/server`) over stdio, traced with
// instrumentMcpServer(), for the tests: one tool, `research` {topic}, answering with the topic
// and the trace id its handler runs in.
import { registerGalileo } from '@galileo-otel/core';
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';
import { instrumentMcpServer } from '../../dist/index.js';

const galileo = registerGalileo({ serviceName: process.env.SERVICE_NAME ?? 'mcp-server-v2' });
const server = instrumentMcpServer(new McpServer({ name: 'research', version: '2.0.0' }));
server.registerTool(
  'research',
  { description: 'Facts about a topic.', inputSchema: z.object({ topic: z.string() }) },
  async ({ topic }) => {
    const traceId = trace.getActiveSpan()?.spanContext().traceId ?? null;
    return { content: [{ type: 'text', text: JSON.stringify({ topic, traceId }) }] };
  },
);
await server.connect(new StdioServerTransport());
process.stdin.once('end', async () => {
  await galileo.shutdown();
  process.exit(0);
});
