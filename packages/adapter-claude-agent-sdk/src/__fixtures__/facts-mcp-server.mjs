// An external MCP server (stdio) the Claude Code CLI starts itself: `lookup_facts(topic)`.
// It runs on the MCP SDK installed next to the Claude Agent SDK (MCP_SDK_DIR).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(join(process.env.MCP_SDK_DIR, 'package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { McpServer } = await load('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = await load('@modelcontextprotocol/sdk/server/stdio.js');
const { z } = await load('zod');

const server = new McpServer({ name: 'facts', version: '1.0.0' });
server.registerTool(
  'lookup_facts',
  { description: 'Look up facts about a topic', inputSchema: { topic: z.string() } },
  async ({ topic }) => ({
    content: [{ type: 'text', text: `${topic} left the heliosphere in 2012.` }],
  }),
);
await server.connect(new StdioServerTransport());
