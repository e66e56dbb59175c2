// Starting the example services as real OS processes, shared by `npm run demo` and the
// end-to-end test.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { ensureClaudeAgentSdk, linkClaudeAgentSdk } from '../../scripts/claude-agent-sdk.mjs';

/** The frameworks that have an example service, and the model provider each one uses. */
export const FRAMEWORKS = [
  'openai-agents',
  'google-adk',
  'vercel-ai',
  'mastra',
  'langchain',
  'claude-agent-sdk',
];
export const PROVIDER = {
  'openai-agents': 'openai',
  'google-adk': 'google',
  'vercel-ai': 'openai',
  mastra: 'openai',
  langchain: 'openai',
  'claude-agent-sdk': 'anthropic',
};

const here = dirname(new URL(import.meta.url).pathname);
export const root = join(here, '..', '..');
export const guardPath = join(here, 'loopback-guard.mjs');

/**
 * How agent A reaches agent B (`npm run demo -- --via <name>`): whether B runs as its own HTTP
 * service (`server.mjs`), and the environment A gets to reach it. `envA` receives B's running
 * service (`b`, when there is one), B's framework and service name, and whether the loopback
 * guard is on (a B that A starts itself must load it too).
 */
export const VIAS = {
  http: {
    label: 'HTTP (POST /research)',
    serviceB: true,
    envA: ({ b }) => ({ AGENT_B_URL: b.url }),
  },
  mcp: {
    label: 'MCP over stdio (A starts B)',
    serviceB: false,
    envA: ({ to, serviceB, guard }) => ({
      AGENT_B_MCP: JSON.stringify([
        process.execPath,
        ...(guard ? ['--import', guardPath] : []),
        join(root, 'examples', to, 'mcp-server.mjs'),
      ]),
      AGENT_B_SERVICE_NAME: serviceB,
    }),
  },
  'mcp-http': {
    label: 'MCP over Streamable HTTP (POST /mcp)',
    serviceB: true,
    envA: ({ b }) => ({ AGENT_B_MCP_URL: `${b.url}/mcp` }),
  },
  a2a: {
    label: 'A2A (SendMessage, agent card at B)',
    serviceB: true,
    envA: ({ b }) => ({ AGENT_B_URL: b.url, AGENT_B_VIA: 'a2a' }),
  },
};

/**
 * Gets a framework's example ready to start and returns the environment its service needs
 * beyond the shared one. Only the Claude Agent SDK needs anything: the SDK (490 MB with its
 * native CLI) is not part of `npm install`, so it is installed once into node_modules/.cache
 * and linked into examples/claude-agent-sdk (`log` announces the download), and its CLI gets a
 * config and temp folder of its own under .galileo-otel/ instead of the user's ~/.claude.
 */
export async function prepareFramework(framework, log) {
  if (framework !== 'claude-agent-sdk') return {};
  await ensureClaudeAgentSdk({ log });
  linkClaudeAgentSdk(join(root, 'examples', 'claude-agent-sdk'));
  const home = join(root, '.galileo-otel', 'claude');
  mkdirSync(join(home, 'tmp'), { recursive: true });
  return { CLAUDE_CONFIG_DIR: join(home, 'config'), CLAUDE_CODE_TMPDIR: join(home, 'tmp') };
}

/**
 * The environment a service process gets: ours minus what test runners set (NODE_ENV=test turns
 * OpenAI Agents tracing off; a service is not a test), plus `env`.
 */
function childEnv(env) {
  const out = { ...process.env };
  for (const key of Object.keys(out)) {
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key === 'TEST') delete out[key];
  }
  return { ...out, ...env };
}

/**
 * Spawns `node examples/<framework>/<script>` (cwd: that folder unless given, as a user would run
 * it) with `PORT=0`, and resolves once it printed `listening on <url>` and (when
 * `health`) answers `GET /health`. With `guard`, the loopback guard is preloaded and its reports
 * are collected; `preload` lists more modules for `--import` (absolute paths), loaded after it.
 */
export async function startService({
  framework,
  script = 'server.mjs',
  env,
  guard = false,
  preload = [],
  health = true,
  cwd = join(root, 'examples', framework),
  onOutput,
  timeoutMs = 60_000,
}) {
  const file = join(root, 'examples', framework, script);
  const imports = guard ? [guardPath, ...preload] : preload;
  const child = spawn(process.execPath, [...imports.flatMap((m) => ['--import', m]), file], {
    cwd,
    env: childEnv({ ...env, PORT: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = {
    name: env.SERVICE_NAME ?? framework,
    framework,
    child,
    url: undefined,
    output: [],
    violations: [],
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  const onData = (chunk) => {
    const text = chunk.toString();
    service.output.push(text);
    onOutput?.(text);
    for (const line of text.split('\n')) {
      if (line.startsWith('[loopback-guard] BLOCKED')) service.violations.push(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  try {
    service.url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout.on('data', (chunk) => {
        const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${signal ?? `code ${code}`}) before listening`));
      });
    });
    if (health) {
      const answer = await fetch(`${service.url}/health`);
      if (!answer.ok) throw new Error(`GET /health answered ${answer.status}`);
    }
  } catch (error) {
    await service.stop();
    throw new Error(
      `${service.name} (examples/${framework}/${script}) ${error.message}\n${service.output.join('')}`,
    );
  }
  return service;
}

/** POSTs JSON and returns the parsed JSON answer; throws with the body on a non-2xx status. */
export async function postJson(url, body, timeoutMs = 120_000) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: text };
  }
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status}: ${json.error ?? text}`);
  return json;
}

/**
 * A loopback pass-through proxy for tests: every request is forwarded unchanged (headers
 * included, so `traceparent` and `baggage` cross it) to the URL `target` currently points at.
 * It lets one A process talk to a different B per request without restarting. The headers of
 * every request it forwarded are kept in `headers`, in arrival order.
 */
export async function startSwitchboard() {
  const board = { target: undefined, url: undefined, close: undefined, headers: [] };
  const server = createHttpServer((req, res) => {
    board.headers.push(req.headers);
    if (!board.target) {
      res.writeHead(503).end('no target');
      return;
    }
    const target = new URL(req.url, board.target);
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  board.url = `http://127.0.0.1:${server.address().port}`;
  board.close = () => new Promise((resolve) => server.close(() => resolve()));
  return board;
}

/**
 * The loopback guard covers a service's own process, not the Claude Code CLI it spawns: that
 * child gets this proxy (loopback exempt), which records every request it is asked to carry.
 */
export async function startEgressTrap() {
  const attempts = [];
  const server = createHttpServer((req, res) => {
    attempts.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req, socket) => {
    attempts.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    attempts,
    env: { HTTPS_PROXY: url, HTTP_PROXY: url, NO_PROXY: '127.0.0.1,localhost' },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
