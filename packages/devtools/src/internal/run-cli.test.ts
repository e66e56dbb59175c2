import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevServer } from '../start-dev-server.js';
import { otlpExporter, recordAgentTrace } from '../test-support/agent-trace.js';
import { findApiCopies } from './find-api-copies.js';
import { type CliIo, runCli } from './run-cli.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'galileo-devtools-cli-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function io(overrides: Partial<CliIo> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t), isTTY: false },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    cwd: dir,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('galileo-otel dev, traces, trace', () => {
  it('receives a trace, then lists and prints it from the same database', async () => {
    const controller = new AbortController();
    let url = '';
    const devIo = io({ signal: controller.signal, onListening: (u) => (url = u) });
    const running = runCli(['dev', '--port', '0', '--db', 'data/traces.db'], devIo);
    await expect.poll(() => url).not.toBe('');
    expect(devIo.out()).toContain(`Viewer:   ${url}/`);
    expect(devIo.out()).toContain(join(dir, 'data', 'traces.db'));

    const recorded = await recordAgentTrace(otlpExporter(`${url}/otel/traces`));
    controller.abort();
    expect(await running).toBe(0);

    const list = io();
    expect(await runCli(['traces', '--db', 'data/traces.db'], list)).toBe(0);
    expect(list.out()).toMatch(/TRACE ID\s+ROOT\s+SPANS/);
    expect(list.out()).toContain(recorded.traceId);
    expect(list.out()).toContain('workflow run');
    expect(list.out()).toContain('p / l');

    const tree = io();
    expect(await runCli(['trace', 'latest', '--db', 'data/traces.db'], tree)).toBe(0);
    const text = tree.out();
    expect(text).not.toContain('\u001b[');
    expect(text).toContain(`trace ${recorded.traceId}`);
    expect(text).toContain('8 spans · 2 services (planner, researcher) · 1 errors');
    expect(text).toMatch(/^workflow run {2}\[workflow\] {2}planner {2}1\.55 s$/m);
    expect(text).toMatch(
      /^\s*├─ chat gpt-4o-mini {2}\[llm\] {2}planner {2}600 ms {2}gpt-4o-mini {2}tokens 42 in \/ 7 out$/m,
    );
    expect(text).toMatch(
      /├─ execute_tool get_weather {2}\[tool\].*ERROR TimeoutError: weather API timed out/,
    );
    expect(text).toMatch(/└─ invoke_agent researcher {2}\[agent\] {2}researcher/);
    expect(text).toMatch(/ {6}└─ chat llama3 {2}\[llm\] {2}researcher .*tokens 100 in \/ 20 out/);

    const colored = io({ stdout: { write: () => undefined, isTTY: true } });
    let coloredOut = '';
    colored.stdout.write = (t: string) => (coloredOut += t);
    await runCli(['trace', recorded.traceId, '--db', 'data/traces.db'], colored);
    expect(coloredOut).toContain('\u001b[31m');

    const json = io();
    expect(
      await runCli(['trace', recorded.traceId, '--db', 'data/traces.db', '--json'], json),
    ).toBe(0);
    const parsed = JSON.parse(json.out()) as { spans: { kind: string }[] };
    expect(parsed.spans).toHaveLength(8);
    const listJson = io();
    await runCli(['traces', '--json', '--db', 'data/traces.db'], listJson);
    expect(JSON.parse(listJson.out())[0].traceId).toBe(recorded.traceId);
  });

  it('prints the latest trace as JSON with its id, kinds, parents and services', async () => {
    const server = await startDevServer({ port: 0, dbPath: join(dir, 'two.db') });
    let first: Awaited<ReturnType<typeof recordAgentTrace>>;
    let second: Awaited<ReturnType<typeof recordAgentTrace>>;
    try {
      first = await recordAgentTrace(otlpExporter(server.otlpUrl));
      second = await recordAgentTrace(otlpExporter(server.otlpUrl));
    } finally {
      await server.close();
    }
    expect(second.traceId).not.toBe(first.traceId);

    const json = io();
    expect(await runCli(['trace', 'latest', '--db', 'two.db', '--json'], json)).toBe(0);
    expect(json.err()).toBe('');
    const parsed = JSON.parse(json.out()) as {
      traceId: string;
      spans: {
        traceId: string;
        spanId: string;
        parentSpanId: string | null;
        name: string;
        kind: string;
        serviceName: string | null;
      }[];
    };
    expect(parsed.traceId).toBe(second.traceId);
    expect(parsed.spans.every((s) => s.traceId === second.traceId)).toBe(true);
    const { ids } = second;
    const shape = (s: (typeof parsed.spans)[number]) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: s.name,
      kind: s.kind,
      serviceName: s.serviceName,
    });
    const sort = <T extends { spanId: string | undefined }>(list: T[]) =>
      [...list].sort((a, b) => String(a.spanId).localeCompare(String(b.spanId)));
    expect(sort(parsed.spans.map(shape))).toEqual(
      sort([
        {
          spanId: ids.run,
          parentSpanId: null,
          name: 'workflow run',
          kind: 'workflow',
          serviceName: 'planner',
        },
        {
          spanId: ids.agent,
          parentSpanId: ids.run,
          name: 'invoke_agent planner',
          kind: 'agent',
          serviceName: 'planner',
        },
        {
          spanId: ids.llm,
          parentSpanId: ids.agent,
          name: 'chat gpt-4o-mini',
          kind: 'llm',
          serviceName: 'planner',
        },
        {
          spanId: ids.geocode,
          parentSpanId: ids.agent,
          name: 'execute_tool geocode',
          kind: 'tool',
          serviceName: 'planner',
        },
        {
          spanId: ids.tool,
          parentSpanId: ids.agent,
          name: 'execute_tool get_weather',
          kind: 'tool',
          serviceName: 'planner',
        },
        {
          spanId: ids.researcher,
          parentSpanId: ids.agent,
          name: 'invoke_agent researcher',
          kind: 'agent',
          serviceName: 'researcher',
        },
        {
          spanId: ids.retriever,
          parentSpanId: ids.researcher,
          name: 'query docs',
          kind: 'retriever',
          serviceName: 'researcher',
        },
        {
          spanId: ids.summarize,
          parentSpanId: ids.researcher,
          name: 'chat llama3',
          kind: 'llm',
          serviceName: 'researcher',
        },
      ]),
    );
  });

  it('explains a missing database, an unknown trace and bad usage', async () => {
    const missing = io();
    expect(await runCli(['traces'], missing)).toBe(1);
    expect(missing.err()).toContain('No trace database at');

    const server = await startDevServer({ port: 0, dbPath: join(dir, 'x.db') });
    await server.close();
    const unknown = io();
    expect(await runCli(['trace', 'ab'.repeat(16), '--db', 'x.db'], unknown)).toBe(1);
    expect(unknown.err()).toContain('not found');
    const empty = io();
    expect(await runCli(['trace', 'latest', '--db', 'x.db'], empty)).toBe(1);
    expect(empty.err()).toContain('No traces stored yet');

    const bad = io();
    expect(await runCli(['traces', '--nope'], bad)).toBe(2);
    expect(bad.err()).toContain("Unknown option '--nope'");
    expect(await runCli(['frobnicate'], io())).toBe(2);
  });
});

describe('galileo-otel doctor', () => {
  it('shows settings and sources, never the key, and probes the endpoint', async () => {
    const server = await startDevServer({ port: 0, dbPath: ':memory:' });
    try {
      const doctor = io({
        env: { GALILEO_API_KEY: 'sekret-value-123', GALILEO_PROJECT: 'proj-from-env' },
      });
      const code = await runCli(['doctor', '--endpoint', server.otlpUrl], doctor);
      const text = doctor.out();
      expect(text).not.toContain('sekret-value-123');
      expect(text).toContain(`Endpoint: ${server.otlpUrl}  (from option)`);
      expect(text).toMatch(/project\s+proj-from-env\s+\[env:GALILEO_PROJECT\]/);
      expect(text).toMatch(/logStream\s+default\s+\[default\]/);
      expect(text).toContain('[ok] API key is set (value not shown)');
      // The probe sends no key, so the receiver answers 401: reachable all the same.
      expect(text).toMatch(/\[ok\] Endpoint answers: HTTP 401 in \d+ ms/);
      expect(text).toContain('No @opentelemetry/api installed here');
      expect(code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('reports an unreachable endpoint and a missing key', async () => {
    const port = await freePort();
    const doctor = io();
    const code = await runCli(
      ['doctor', '--endpoint', `http://127.0.0.1:${port}/otel/traces`, '--timeout', '1000'],
      doctor,
    );
    expect(code).toBe(1);
    expect(doctor.out()).toContain('[!!] No API key: set GALILEO_API_KEY');
    expect(doctor.out()).toContain('[!!] Endpoint unreachable: ECONNREFUSED');
    expect(doctor.out()).toMatch(/endpoint\s+http:\/\/127\.0\.0\.1:\d+\/otel\/traces\s+\[option\]/);
  });

  const write = (path: string, version: string, name = '@opentelemetry/api'): void => {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'package.json'), JSON.stringify({ name, version }));
  };
  /** A relative symlink, the way npm workspaces and pnpm link packages. */
  const link = (target: string, path: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    symlinkSync(relative(dirname(join(dir, path)), join(dir, target)), join(dir, path), 'dir');
  };

  it('finds duplicate @opentelemetry/api copies and prints the overrides fix', async () => {
    write('node_modules/@opentelemetry/api', '1.10.0');
    write('node_modules/some-sdk/node_modules/@opentelemetry/api', '1.9.0');
    write('node_modules/@scope/lib/node_modules/@opentelemetry/api', '1.10.0');
    const copies = findApiCopies(dir);
    expect(copies.map((c) => c.version).sort()).toEqual(['1.10.0', '1.10.0', '1.9.0']);

    const doctor = io({ env: { GALILEO_API_KEY: 'k' } });
    await runCli(
      ['doctor', '--endpoint', 'http://127.0.0.1:1/otel/traces', '--timeout', '500'],
      doctor,
    );
    const text = doctor.out();
    expect(text).toContain('[!!] 3 copies of @opentelemetry/api');
    expect(text).toContain(
      `1.9.0  ${join(dir, 'node_modules/some-sdk/node_modules/@opentelemetry/api')}`,
    );
    expect(text).toContain(
      '  Fix: make @opentelemetry/api a direct dependency of your project (npm install\n' +
        '  @opentelemetry/api), since the "$" reference below names your own dependency and npm\n' +
        '  and pnpm refuse it without one; then add to your package.json and reinstall:\n' +
        '    "overrides": { "@opentelemetry/api": "$@opentelemetry/api" }\n' +
        '  (pnpm: put "overrides" inside "pnpm": { … })\n',
    );

    rmSync(join(dir, 'node_modules/some-sdk'), { recursive: true });
    rmSync(join(dir, 'node_modules/@scope'), { recursive: true });
    expect(findApiCopies(dir)).toHaveLength(1);
  });

  it('prints a control character read from a package.json as a visible escape', async () => {
    write('node_modules/@opentelemetry/api', '1.10.0\u001b]0;pwned\u0007');
    const doctor = io({ env: { GALILEO_API_KEY: 'k' } });
    await runCli(
      ['doctor', '--endpoint', 'http://127.0.0.1:1/otel/traces', '--timeout', '500'],
      doctor,
    );
    expect(doctor.out()).toContain('One copy of @opentelemetry/api: 1.10.0\\x1B]0;pwned\\x07 at');
    expect(doctor.out()).not.toContain('\u001b');
  });

  it('finds the copies in a pnpm layout, inside node_modules/.pnpm', async () => {
    // What `pnpm install` lays out for a project that depends on @opentelemetry/api@1.10.0 and on
    // some-sdk, which depends on @opentelemetry/api@1.9.0.
    const store = 'node_modules/.pnpm';
    write(`${store}/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api`, '1.10.0');
    write(`${store}/@opentelemetry+api@1.9.0/node_modules/@opentelemetry/api`, '1.9.0');
    write(`${store}/some-sdk@2.0.0/node_modules/some-sdk`, '2.0.0', 'some-sdk');
    link(
      `${store}/@opentelemetry+api@1.9.0/node_modules/@opentelemetry/api`,
      `${store}/some-sdk@2.0.0/node_modules/@opentelemetry/api`,
    );
    link(
      `${store}/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api`,
      `${store}/node_modules/@opentelemetry/api`,
    );
    writeFileSync(join(dir, store, 'lock.yaml'), 'lockfileVersion: "9.0"\n');
    link(
      `${store}/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api`,
      'node_modules/@opentelemetry/api',
    );
    link(`${store}/some-sdk@2.0.0/node_modules/some-sdk`, 'node_modules/some-sdk');
    writeFileSync(join(dir, 'node_modules/.modules.yaml'), 'layoutVersion: 5\n');

    const real = realpathSync(dir);
    expect(findApiCopies(dir)).toEqual([
      {
        version: '1.10.0',
        path: join(real, store, '@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api'),
      },
      {
        version: '1.9.0',
        path: join(real, store, '@opentelemetry+api@1.9.0/node_modules/@opentelemetry/api'),
      },
    ]);
    const doctor = io({ env: { GALILEO_API_KEY: 'k' } });
    await runCli(
      ['doctor', '--endpoint', 'http://127.0.0.1:1/otel/traces', '--timeout', '500'],
      doctor,
    );
    expect(doctor.out()).toContain('[!!] 2 copies of @opentelemetry/api');
  });

  it('counts each copy once in an npm workspace, through the symlinked workspace packages', () => {
    // npm workspaces: packages/app links into the root node_modules and keeps its own older copy;
    // the root copy is reached both directly and through the link.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ workspaces: ['packages/*'] }));
    write('node_modules/@opentelemetry/api', '1.10.0');
    write('packages/app', '0.0.0', 'app');
    write('packages/app/node_modules/@opentelemetry/api', '1.9.0');
    write('packages/lib', '0.0.0', 'lib');
    link('packages/app', 'node_modules/app');
    link('packages/lib', 'node_modules/lib');
    write('node_modules/not-api/node_modules/@opentelemetry/api', '1.9.0', '@opentelemetry/other');

    const real = realpathSync(dir);
    const expected = [
      { version: '1.10.0', path: join(real, 'node_modules/@opentelemetry/api') },
      { version: '1.9.0', path: join(real, 'packages/app/node_modules/@opentelemetry/api') },
    ];
    expect(findApiCopies(dir)).toEqual(expected);
    expect(findApiCopies(join(dir, 'packages', 'lib'))).toEqual(expected);
  });
});
