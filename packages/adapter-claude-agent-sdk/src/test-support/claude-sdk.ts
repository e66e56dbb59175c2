import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, inject } from 'vitest';
import { z } from 'zod';

/** A message of the SDK's stream, as the tests read it. */
export type SdkMessage = { type: string; subtype?: string } & Record<string, unknown>;

/** The SDK's `Query`. */
export interface Query extends AsyncGenerator<SdkMessage, void> {
  interrupt(): Promise<unknown>;
  close(): void;
}

/** The parts of `@anthropic-ai/claude-agent-sdk` the tests use (it is not a typed dependency). */
export interface ClaudeSdk {
  query(params: { prompt: string; options?: Record<string, unknown> }): Query;
  tool(
    name: string,
    description: string,
    shape: Record<string, z.ZodType>,
    handler: (args: Record<string, unknown>, extra: unknown) => Promise<unknown>,
    extras?: { alwaysLoad?: boolean },
  ): unknown;
  createSdkMcpServer(options: { name: string; version?: string; tools: unknown[] }): unknown;
}

let loaded: Promise<ClaudeSdk> | undefined;

/** The real SDK, installed by the global setup into node_modules/.cache. */
export function loadSdk(): Promise<ClaudeSdk> {
  loaded ??= import(pathToFileURL(inject('claudeAgentSdk').entry).href) as Promise<ClaudeSdk>;
  return loaded;
}

/** `@modelcontextprotocol/sdk` installed next to the SDK (for the external MCP server). */
export function mcpSdkDir(): string {
  return inject('claudeAgentSdk').mcpSdkDir;
}

/**
 * A loopback HTTP proxy that records every request and `CONNECT` it gets and refuses them
 * all. The CLI is given it as `HTTPS_PROXY` / `HTTP_PROXY` (with loopback in `NO_PROXY`), so
 * any attempt of the CLI child process to reach beyond loopback shows up in `attempts`.
 */
export async function startEgressTrap(): Promise<{
  url: string;
  attempts: string[];
  close(): Promise<void>;
}> {
  const attempts: string[] = [];
  const server = createServer((req, res) => {
    attempts.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req, socket) => {
    attempts.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A private HOME and temp folder for the CLI, made once per test file. */
const home = mkdtempSync(join(tmpdir(), 'claude-agent-sdk-test-'));
mkdirSync(join(home, 'tmp'));
// The CLI writes its state there (`.claude.json`, caches): gone with the test file, so test runs
// do not pile folders up in the system temp folder.
afterAll(() => rmSync(home, { recursive: true, force: true }));

/**
 * The CLI's whole environment (`options.env` replaces it): the local model as Anthropic, a
 * private HOME and temp folder, no non-essential traffic (no feature flags, no telemetry, no
 * session-title request) and the egress trap as proxy.
 */
export function cliEnv(
  modelUrl: string,
  trapUrl: string,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CODE_TMPDIR: join(home, 'tmp'),
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-ant-local-test-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    HTTPS_PROXY: trapUrl,
    HTTP_PROXY: trapUrl,
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  };
}

/** Options every test query shares: no settings files, no session files on disk. */
export const BASE_OPTIONS: Record<string, unknown> = {
  model: 'claude-sonnet-4-5',
  settingSources: [],
  persistSession: false,
  permissionMode: 'default',
};

/** An in-process MCP server `weather` with `get_weather(city)`, new per query. */
export function weatherServer(
  sdk: ClaudeSdk,
  body: (city: string) => Promise<string> = async (city) => `Sunny, 22C in ${city}`,
): unknown {
  const getWeather = sdk.tool(
    'get_weather',
    'Get the weather for a city',
    { city: z.string() },
    async (args) => ({ content: [{ type: 'text', text: await body(String(args.city)) }] }),
    { alwaysLoad: true },
  );
  return sdk.createSdkMcpServer({ name: 'weather', version: '1.0.0', tools: [getWeather] });
}

/** Reads a query to its end; resolves with its messages (rejects as the SDK does). */
export async function drain(query: AsyncIterable<SdkMessage>): Promise<SdkMessage[]> {
  const messages: SdkMessage[] = [];
  for await (const message of query) messages.push(message);
  return messages;
}
