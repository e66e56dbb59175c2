import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevServer } from '../start-dev-server.js';
import {
  otlpExporter,
  recordAgentTrace,
  recordSpans,
  toProtobuf,
} from '../test-support/agent-trace.js';
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

describe('galileo-otel sessions', () => {
  it('lists sessions, prints one with its traces in time order, and escapes control characters', async () => {
    const evil = 'conv\u001b]0;pwned\u0007\u202e\n';
    const shown = 'conv\\x1B]0;pwned\\x07\\u202E\\x0A';
    const base = Date.now() - 60_000;
    const turn = async (service: string, attributes: Record<string, string>, offset: number) => {
      const spans = await recordSpans(
        (tracer) =>
          tracer
            .startSpan(`turn of ${service}`, { startTime: base + offset, attributes })
            .end(base + offset + 5),
        { 'service.name': service },
      );
      return { body: toProtobuf(spans), traceId: spans[0]?.spanContext().traceId ?? '' };
    };
    const late = await turn('node-agent', { 'galileo.session.id': 'conv-a' }, 2000);
    const early = await turn('python-agent', { 'gen_ai.conversation.id': 'conv-a' }, 0);
    const hostile = await turn('svc', { 'galileo.session.id': evil }, 0);
    const server = await startDevServer({ port: 0, dbPath: join(dir, 's.db') });
    try {
      for (const [path, auth, sent] of [
        ['/otel/traces', 'Galileo-API-Key', late],
        ['/otel/v1/traces', 'Splunk-AO-API-Key', early],
        ['/otel/traces', 'Galileo-API-Key', hostile],
      ] as const) {
        const res = await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', [auth]: 'k' },
          body: sent.body,
        });
        expect(res.status).toBe(200);
      }
    } finally {
      await server.close();
    }

    const list = io();
    expect(await runCli(['sessions', '--db', 's.db'], list)).toBe(0);
    const lines = list.out().split('\n');
    expect(lines[0]).toMatch(/^SESSION\s+TRACES\s+SPANS\s+ERRORS\s+SERVICES\s+VIA\s+FIRST\s+LAST$/);
    expect(list.out()).toMatch(
      /^conv-a\s+2\s+2\s+0\s+node-agent,python-agent\s+galileo,splunk-ao\s/m,
    );
    expect(list.out()).toContain(`${shown}  1 `);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(list.out()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);

    const one = io();
    expect(await runCli(['sessions', 'conv-a', '--db', 's.db'], one)).toBe(0);
    const text = one.out();
    expect(text).toContain(
      'session conv-a\n2 traces · 2 services (node-agent, python-agent) · 0 errors',
    );
    const rows = text.split('\n').filter((l) => /^\+/.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/).slice(0, 5))).toEqual([
      ['+0.00 ms', early.traceId, 'turn of python-agent', 'python-agent', 'splunk-ao'],
      ['+2.00 s', late.traceId, 'turn of node-agent', 'node-agent', 'galileo'],
    ]);

    const json = io();
    expect(await runCli(['sessions', evil, '--db', 's.db', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ sessionId: evil, traceCount: 1 });
    const unknown = io();
    expect(await runCli(['sessions', evil.slice(1), '--db', 's.db'], unknown)).toBe(1);
    expect(unknown.err()).toBe(`Session "onv\\u001b]0;pwned\\u0007\\u202E\\n" not found.\n`);
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

  it('prints each destination, its endpoint, auth header and sources, never the key', async () => {
    const server = await startDevServer({ port: 0, dbPath: ':memory:' });
    const secrets = ['galileo-secret-111', 'splunk-ao-secret-222', 'o11y-ingest-secret-333'];
    const cases = [
      {
        env: { GALILEO_API_KEY: secrets[0], GALILEO_API_URL: server.url },
        args: [],
        lines: [
          'Destination: galileo  (from env:GALILEO_API_KEY)',
          `Endpoint: ${server.url}/otel/traces  (from env:GALILEO_API_URL)`,
          'Auth header: Galileo-API-Key  (its value is never shown)',
          '[ok] API key is set (value not shown)',
          '[ok] Endpoint answers: HTTP 401',
        ],
        settings: [/apiKey\s+\(set\)\s+\[env:GALILEO_API_KEY\]/],
      },
      {
        env: {
          SPLUNK_AO_API_KEY: secrets[1],
          SPLUNK_AO_API_URL: server.url,
          SPLUNK_AO_PROJECT: 'ao-project',
          SPLUNK_AO_LOG_STREAM: 'old-name-stream',
        },
        args: [],
        lines: [
          'Destination: splunk-ao  (from env:SPLUNK_AO_API_KEY)',
          `Endpoint: ${server.url}/otel/v1/traces  (from env:SPLUNK_AO_API_URL)`,
          'Auth header: Splunk-AO-API-Key  (its value is never shown)',
          '[ok] API key is set (value not shown)',
          '[ok] Endpoint answers: HTTP 401',
        ],
        settings: [
          /project\s+ao-project\s+\[env:SPLUNK_AO_PROJECT\]/,
          /logStream\s+old-name-stream\s+\[env:SPLUNK_AO_LOG_STREAM\]/,
          /apiKey\s+\(set\)\s+\[env:SPLUNK_AO_API_KEY\]/,
        ],
      },
      {
        // The realm's endpoint is on the internet: not probed here.
        env: {
          SPLUNK_AO_REALM: 'eu0',
          SPLUNK_AO_O11Y_TOKEN: secrets[2],
          SPLUNK_AO_PROJECT_ID: 'p-1',
        },
        args: ['--no-probe'],
        lines: [
          'Destination: splunk-o11y  (from env:SPLUNK_AO_REALM)',
          'Endpoint: https://ingest.eu0.observability.splunkcloud.com/v2/trace/otlp  (from env:SPLUNK_AO_REALM)',
          'Auth header: X-SF-Token  (its value is never shown)',
          '[ok] Ingest token is set (value not shown)',
          '[ok] Endpoint not probed (--no-probe)',
        ],
        settings: [
          /project\s+p-1\s+\[env:SPLUNK_AO_PROJECT_ID\]/,
          /apiKey\s+\(set\)\s+\[env:SPLUNK_AO_O11Y_TOKEN\]/,
        ],
      },
    ];
    try {
      for (const c of cases) {
        const text = io({ env: c.env });
        expect(await runCli(['doctor', ...c.args], text), text.out()).toBe(0);
        for (const line of c.lines) expect(text.out()).toContain(line);
        for (const setting of c.settings) expect(text.out()).toMatch(setting);
        const json = io({ env: c.env });
        await runCli(['doctor', '--json', ...c.args], json);
        const report = JSON.parse(json.out());
        expect(report.destination).toMatchObject({
          kind: c.lines[0]?.split(' ')[1],
          sources: { kind: c.lines[0]?.split('from ')[1]?.slice(0, -1) },
        });
        for (const secret of secrets) {
          expect(text.out() + text.err() + json.out() + json.err()).not.toContain(secret);
        }
      }
    } finally {
      await server.close();
    }

    // A missing key or token names the variable of the destination in use.
    const noToken = io({ env: { SPLUNK_AO_REALM: 'us1' } });
    expect(await runCli(['doctor', '--no-probe'], noToken)).toBe(1);
    expect(noToken.out()).toContain('[!!] No ingest token: set SPLUNK_AO_O11Y_TOKEN');
    // --destination chooses between the variables of two destinations.
    const both = { GALILEO_API_KEY: secrets[0], SPLUNK_AO_API_KEY: secrets[1] };
    const ambiguous = io({ env: both });
    expect(await runCli(['doctor', '--no-probe'], ambiguous)).toBe(1);
    expect(ambiguous.out()).toContain(
      '[!!] configuration error: Variables of more than one destination are set (galileo: GALILEO_API_KEY; splunk-ao: SPLUNK_AO_API_KEY).',
    );
    expect(ambiguous.out()).not.toContain('No API key');
    const chosen = io({ env: both });
    expect(await runCli(['doctor', '--no-probe', '--destination', 'splunk-ao'], chosen)).toBe(0);
    expect(chosen.out()).toContain('Destination: splunk-ao  (from option)');
    for (const secret of secrets) {
      expect(ambiguous.out() + chosen.out()).not.toContain(secret);
    }
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
