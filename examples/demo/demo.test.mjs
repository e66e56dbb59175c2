// `npm run demo` itself, as a user runs it: a separate process, its exit code and what it prints.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startDevServer } from '@galileo-otel/devtools';
import { startLocalModel } from '@galileo-otel/local-model';
import { describe, expect, it } from 'vitest';
import { root, VIAS } from './run-service.mjs';

const demo = join(root, 'examples', 'demo', 'demo.mjs');

/** The environment of a new user with no keys: nothing inherited that would change the demo. */
function userEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env)) {
    if (/^(GALILEO_|SPLUNK_AO_|OPENAI_|GOOGLE_|GEMINI_)|^VITEST|^NODE_ENV$|^TEST$/.test(key)) {
      delete env[key];
    }
  }
  return { ...env, ...extra };
}

function runDemo(args, env = userEnv()) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [demo, ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('runs the default pair offline, prints the tree and the viewer URL, and exits 0', async () => {
    const run = await runDemo(['--no-wait']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('A: agent-a-openai-agents');
    expect(run.stdout).toContain('B: agent-b-google-adk');
    expect(run.stdout).toMatch(/Answer \(\d+ ms\):\n.*Voyager 1/);
    expect(run.stdout).toMatch(
      /^ {4}execute_tool delegate_research +tool +agent-a-openai-agents$/m,
    );
    expect(run.stdout).toMatch(/^ {8}POST \/research +workflow +agent-b-google-adk$/m);
    expect(run.stdout).toMatch(/Viewer: http:\/\/127\.0\.0\.1:\d+\/traces\/[0-9a-f]{32}/);
    expect(run.stdout).toMatch(
      /✓ One trace: 10 spans from agent-a-openai-agents and agent-b-google-adk, .*nothing but loopback contacted, 3 calls to the local model\./,
    );
  });

  it('refuses an unknown transport with exit 2 and the list to choose from', async () => {
    const run = await runDemo(['--via', 'smtp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `Unknown transport "smtp". Choose from: ${Object.keys(VIAS).join(', ')}`,
    );
    expect(Object.keys(VIAS)).toEqual(['http', 'mcp', 'mcp-http', 'a2a']);
    expect(run.stdout).not.toContain('POST ');
  });

  it('refuses an unknown framework with exit 2 and the list to choose from', async () => {
    const run = await runDemo(['--from', 'crewai']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'Unknown framework "crewai". Choose from: openai-agents, google-adk, vercel-ai, mastra, langchain, claude-agent-sdk',
    );
  });

  it('refuses an endpoint without a key before starting anything', async () => {
    const run = await runDemo([], userEnv({ GALILEO_API_ENDPOINT: 'http://127.0.0.1:9/otel' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('GALILEO_API_ENDPOINT is set but GALILEO_API_KEY is not');
    expect(run.stdout).not.toContain('POST ');
  });

  it('refuses a destination without its key, or two destinations at once, before starting anything', async () => {
    const keyless = await runDemo([], userEnv({ SPLUNK_AO_API_URL: 'http://127.0.0.1:9' }));
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('SPLUNK_AO_API_URL is set but SPLUNK_AO_API_KEY is not');
    const both = await runDemo(
      [],
      userEnv({ GALILEO_API_KEY: 'galileo-key-1', SPLUNK_AO_API_KEY: 'splunk-key-2' }),
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      'Variables of more than one destination are set (galileo: GALILEO_API_KEY; splunk-ao: SPLUNK_AO_API_KEY)',
    );
    for (const run of [keyless, both]) {
      expect(run.stdout).not.toContain('POST ');
      expect(run.stdout + run.stderr).not.toMatch(/galileo-key-1|splunk-key-2/);
    }
  });

  it('sends the trace to Splunk AO when SPLUNK_AO_API_KEY is set, as it does with GALILEO_API_KEY', async () => {
    // A stand-in for the Splunk AO API on loopback: the local receiver, which speaks its contract
    // (/otel/v1/traces, Splunk-AO-API-Key) and accepts only the user's key.
    const splunkAo = await startDevServer({ port: 0, dbPath: ':memory:', apiKey: 'ao-user-key' });
    try {
      const run = await runDemo(
        ['--from', 'vercel-ai', '--to', 'mastra', '--no-wait'],
        userEnv({ SPLUNK_AO_API_KEY: 'ao-user-key', SPLUNK_AO_API_URL: splunkAo.url }),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('Local Galileo');
      expect(run.stdout).toContain(
        `Spans go to Splunk AO (splunk-ao, from SPLUNK_AO_API_KEY): ${splunkAo.url}/otel/v1/traces, header Splunk-AO-API-Key, project galileo-otel-demo`,
      );
      expect(run.stdout).toMatch(
        /agent-a-vercel-ai: exported [1-9]\d* spans .* failed 0, rejected 0/,
      );
      expect(run.stdout).toContain(
        'Open Splunk AO: project galileo-otel-demo, agent stream default.',
      );
      expect(run.stdout).not.toContain('ao-user-key');
      const traces = splunkAo.store.listTraces();
      expect(traces).toHaveLength(1);
      expect(traces[0]).toMatchObject({
        contract: 'splunk-ao',
        project: 'galileo-otel-demo',
        logStream: 'default',
        services: ['agent-a-vercel-ai', 'agent-b-mastra'],
      });
      expect(traces[0]?.sessionIds).toHaveLength(1);
    } finally {
      await splunkAo.close();
    }
  });

  it('uses the configured provider instead of starting the local model when a key is set', async () => {
    // A stand-in for api.openai.com on loopback: the services must call it, because the key
    // says "use the real provider", and the demo must not start its own model server.
    const provider = await startLocalModel({ port: 0 });
    try {
      const run = await runDemo(
        ['--from', 'vercel-ai', '--to', 'mastra', '--no-wait'],
        userEnv({ OPENAI_API_KEY: 'sk-user', OPENAI_BASE_URL: `${provider.url}/v1` }),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('Local model');
      expect(run.stdout).toContain('Local Galileo');
      expect(run.stdout).toMatch(
        /✓ One trace: \d+ spans from agent-a-vercel-ai and agent-b-mastra/,
      );
      // Not an offline run any more, so the demo does not claim loopback-only.
      expect(run.stdout).not.toContain('nothing but loopback contacted');
      expect(provider.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    } finally {
      await provider.close();
    }
  });

  it('exits 1 with the reason when the configured endpoint rejects the key', async () => {
    const requests = [];
    const galileo = createServer((req, res) => {
      requests.push(req.headers['galileo-api-key']);
      req.resume();
      req.on('end', () => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"detail":"Invalid API key"}');
      });
    });
    await new Promise((resolve) => galileo.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${galileo.address().port}/otel/traces`;
    try {
      const run = await runDemo(
        ['--from', 'vercel-ai', '--to', 'mastra'],
        userEnv({ GALILEO_API_ENDPOINT: endpoint, GALILEO_API_KEY: 'wrong-key' }),
      );
      expect(run.code).toBe(1);
      expect(run.stdout).not.toContain('Local Galileo');
      expect(run.stdout).toMatch(/agent-a-vercel-ai: exported 0 spans/);
      expect(run.stderr).toContain('✗ spans were not all delivered');
      expect(run.stderr).toMatch(/401/);
      expect(run.stderr).not.toContain('wrong-key');
      expect(requests.length).toBeGreaterThan(0);
      expect(new Set(requests)).toEqual(new Set(['wrong-key']));
    } finally {
      await new Promise((resolve) => galileo.close(resolve));
    }
  });
});
