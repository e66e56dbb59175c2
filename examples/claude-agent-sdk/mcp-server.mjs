// Agent B of server.mjs (the Claude Agent SDK research agent) as a stdio MCP server, with one
// tool: `research` {topic: string}, answered by the research agent with 3-5 short facts. An MCP
// client starts it as a child process and speaks JSON-RPC on its stdin and stdout, e.g.
//
//   AGENT_B_MCP='node mcp-server.mjs' PORT=8000 node server.mjs          (a Claude Agent SDK agent A)
//   npx @modelcontextprotocol/inspector node mcp-server.mjs              (by hand)
//
// Each `tools/call` becomes a SERVER span in the caller's trace (the W3C context travels in the
// request's `params._meta`), with the agent's run below it. Settings are those of server.mjs;
// each run starts the Claude Code CLI as a child process of this one.

import { Writable } from 'node:stream';

// stdout carries the protocol and nothing else: whatever a library prints there (console.log,
// a logger writing to process.stdout) goes to stderr instead.
const stdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
const protocol = new Writable({ write: (chunk, encoding, done) => stdout(chunk, encoding, done) });
// A stdio server lives as long as its client wants it (ADK starts one per call): export each
// span as it ends rather than in batches.
process.env.GALILEO_EXPORT_MODE ??= 'immediate';

const { serveMcpStdio } = await import('./server.mjs');
await serveMcpStdio(protocol);
