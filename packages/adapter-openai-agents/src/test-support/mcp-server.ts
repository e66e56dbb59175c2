import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One tool the loopback MCP server offers. */
export interface McpTestTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  call(args: Record<string, unknown>): string;
}

/** A running loopback MCP server (Streamable HTTP transport, JSON responses, no sessions). */
export interface McpTestServer {
  /** The endpoint to give `MCPServerStreamableHttp({ url })`. */
  url: string;
  /** JSON-RPC methods received, in order. */
  methods: string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The smallest MCP server the SDK's real MCP client talks to: `initialize`, `tools/list` and
 * `tools/call` answered as single JSON responses; notifications acknowledged with 202; the
 * optional GET event stream refused with 405 (allowed by the transport spec).
 */
export async function startMcpTestServer(tools: readonly McpTestTool[]): Promise<McpTestServer> {
  const methods: string[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const message = JSON.parse(await readBody(req)) as {
      id?: number | string;
      method: string;
      params?: Record<string, unknown>;
    };
    methods.push(message.method);
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const reply = (result: unknown) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    switch (message.method) {
      case 'initialize':
        reply({
          protocolVersion: message.params?.protocolVersion,
          capabilities: { tools: {} },
          serverInfo: { name: 'loopback-mcp', version: '1.0.0' },
        });
        return;
      case 'tools/list':
        reply({
          tools: tools.map(({ name, description, inputSchema }) => ({
            name,
            description,
            inputSchema,
          })),
        });
        return;
      case 'tools/call': {
        const tool = tools.find((t) => t.name === message.params?.name);
        const args = (message.params?.arguments ?? {}) as Record<string, unknown>;
        reply(
          tool
            ? { content: [{ type: 'text', text: tool.call(args) }] }
            : { content: [{ type: 'text', text: 'unknown tool' }], isError: true },
        );
        return;
      }
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: message.id,
            error: { code: -32601, message: `method not found: ${message.method}` },
          }),
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    methods,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
