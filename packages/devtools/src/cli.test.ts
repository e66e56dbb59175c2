// Runs the published `galileo-otel` command as a real process (bin/galileo-otel.js, which loads
// the built dist/cli.js) and talks to it over HTTP, the way a user's exporter would.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDevServer } from './index.js';
import { runCli } from './internal/run-cli.js';
import { recordShape, recordSpans, toProtobuf } from './test-support/agent-trace.js';

const bin = fileURLToPath(new URL('../bin/galileo-otel.js', import.meta.url));
let dir: string;
const running = new Set<ChildProcess>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'galileo-devtools-bin-'));
});

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Dev {
  url: string;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `galileo-otel dev` and waits until it prints the viewer URL. */
async function startDev(args: string[]): Promise<Dev> {
  const child = spawn(process.execPath, [bin, 'dev', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (output += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (output += t));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no viewer URL within 10 s:\n${output}`)),
      10_000,
    );
    const look = () => {
      const match = /Viewer: {3}(http:\/\/\S+)\/\n/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => reject(new Error(`galileo-otel dev exited early:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const post = (url: string, key: string, body: Uint8Array) =>
  fetch(`${url}/otel/traces`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'Galileo-API-Key': key,
      project: 'p',
      logstream: 'l',
    },
    body,
  });

/** Runs a one-shot command (`traces`, `trace`) of the bin to its end. */
function runBin(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const sha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

async function spanCount(url: string, traceId: string): Promise<number> {
  const res = await fetch(`${url}/api/traces/${traceId}`);
  if (res.status === 404) return 0;
  return ((await res.json()) as { spans: unknown[] }).spans.length;
}

// Each test here starts the bin as its own process, up to nine times in one test; on a busy
// 2-core machine one start took over 3 s, so the default 30 s was not enough. Only a bound.
describe('the galileo-otel bin', { timeout: 180_000 }, () => {
  it('accepts only the key pinned with --api-key, and stores a re-sent batch once across a restart', async () => {
    const port = await freePort();
    const args = ['--api-key', 'x', '--db', join(dir, 'traces.db'), '--port', String(port)];
    const spans = await recordSpans((tracer) => {
      const root = tracer.startSpan('workflow run');
      tracer.startSpan('step', {}, trace.setSpan(context.active(), root)).end();
      root.end();
    });
    const traceId = spans[0]?.spanContext().traceId ?? '';
    const body = toProtobuf(spans);

    const first = await startDev(args);
    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    expect(first.output()).toContain('API key:  pinned by --api-key');

    const wrong = await post(first.url, 'y', body);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Invalid API Key' });
    expect(await spanCount(first.url, traceId)).toBe(0);

    const right = await post(first.url, 'x', body);
    expect(right.status).toBe(200);
    expect(await spanCount(first.url, traceId)).toBe(2);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await startDev(args);
    expect(await spanCount(second.url, traceId)).toBe(2);
    const again = await post(second.url, 'x', body);
    expect(again.status).toBe(200);
    expect(await spanCount(second.url, traceId)).toBe(2);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });

  it('prints control characters in span data as visible escapes, and --json exactly', async () => {
    // OSC (window title), CSI (clear screen, hidden text), BEL, NUL, DEL, C1 CSI and NEL, bidi
    // override and isolates, CR LF and tab: what a hostile exporter could put in any string.
    const evil =
      'a\u001b]0;pwned\u0007b\u001b[2Jc\u001b[8mhidden\u0000\u007f\u009b31m\u0085\u202egnp.exe\u2066x\u2069\r\n\t';
    const shown =
      'a\\x1B]0;pwned\\x07b\\x1B[2Jc\\x1B[8mhidden\\x00\\x7F\\x9B31m\\x85\\u202Egnp.exe\\u2066x\\u2069\\x0D\\x0A\\x09';
    const spans = await recordSpans(
      (tracer) => {
        const span = tracer.startSpan(`name ${evil}`, {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': `model ${evil}`,
            'gen_ai.usage.input_tokens': `in ${evil}`,
            'error.type': `type ${evil}`,
          },
        });
        span.setStatus({ code: SpanStatusCode.ERROR, message: `message ${evil}` });
        span.end();
      },
      {
        'service.name': `svc ${evil}`,
        'galileo.project.name': `project ${evil}`,
        'galileo.logstream.name': `stream ${evil}`,
      },
    );
    const traceId = spans[0]?.spanContext().traceId ?? '';
    const file = join(dir, 'evil.db');
    const server = await startDevServer({ port: 0, dbPath: file });
    try {
      expect((await post(server.url, 'k', toProtobuf(spans))).status).toBe(200);
    } finally {
      await server.close();
    }

    // Raw control characters; the newline that ends each output line is the only one allowed.
    const raw =
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
    const bytes = (args: string[]): string => {
      const run = spawnSync(process.execPath, [bin, ...args, '--db', file], { cwd: dir });
      expect(run.stderr.toString()).toBe('');
      expect(run.status).toBe(0);
      const text = run.stdout.toString('utf8');
      expect(Buffer.from(text, 'utf8').equals(run.stdout)).toBe(true);
      expect(text).not.toMatch(raw);
      return text;
    };

    const tree = bytes(['trace', traceId]);
    expect(tree).toContain(`trace ${traceId}  project ${shown} / stream ${shown}\n`);
    expect(tree).toContain(`(svc ${shown})`);
    const line = tree.split('\n').at(-2) ?? '';
    expect(line.startsWith(`name ${shown}  [llm]  svc ${shown}  `)).toBe(true);
    expect(
      line.endsWith(
        `ms  model ${shown}  tokens in ${shown} in / ? out  ERROR type ${shown}: message ${shown}`,
      ),
    ).toBe(true);
    const list = bytes(['traces']);
    expect(list.split('\n')).toHaveLength(3);
    expect(list).toContain(`${traceId}  name ${shown}  1 `);
    expect(list).toContain(`svc ${shown}`);
    expect(list).toContain(`project ${shown} / stream ${shown}`);

    // --json: the same strings, exactly, once parsed; DEL, C1 and bidi written as \u escapes.
    const json = JSON.parse(bytes(['trace', traceId, '--json'])) as {
      spans: {
        name: string;
        serviceName: string;
        project: string;
        logStream: string;
        status: { message: string };
        attributes: Record<string, string>;
      }[];
    };
    const [span] = json.spans;
    expect(span?.name).toBe(`name ${evil}`);
    expect(span?.serviceName).toBe(`svc ${evil}`);
    expect(span?.project).toBe(`project ${evil}`);
    expect(span?.logStream).toBe(`stream ${evil}`);
    expect(span?.status.message).toBe(`message ${evil}`);
    expect(span?.attributes['gen_ai.request.model']).toBe(`model ${evil}`);
    expect(span?.attributes['error.type']).toBe(`type ${evil}`);
    const listed = JSON.parse(bytes(['traces', '--json'])) as { rootName: string }[];
    expect(listed.map((t) => t.rootName)).toEqual([`name ${evil}`]);

    // On a terminal, the only escape sequences are the CLI's own colours.
    let colored = '';
    const code = await runCli(['trace', traceId, '--db', file], {
      stdout: { write: (text: string) => (colored += text), isTTY: true },
      stderr: { write: () => undefined },
      env: {},
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(colored).toContain(`\u001b[31mname ${shown}\u001b[0m`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the CLI's own colours
    expect(colored.replace(/\u001b\[\d+m/g, '')).not.toMatch(raw);
  });

  it('prints a chain 10 000 spans deep, every span on one bounded line', async () => {
    const chain = await recordShape(10_000, (i) => (i === 0 ? undefined : i - 1));
    const file = join(dir, 'deep.db');
    const server = await startDevServer({ port: 0, dbPath: file });
    try {
      expect((await post(server.url, 'k', chain.body)).status).toBe(200);
    } finally {
      await server.close();
    }
    const run = spawnSync(process.execPath, [bin, 'trace', chain.traceId, '--db', file], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(1, 3)).toEqual([
      '10000 spans · 1 services (svc) · 0 errors · via galileo',
      '',
    ]);
    const spanLines = lines.slice(3, -1);
    expect(spanLines).toHaveLength(10_000);
    spanLines.forEach((line, i) => {
      // Twelve levels of guides at most, then the depth as a number.
      const indent =
        i === 0 ? '' : `${i > 12 ? `[depth ${i}] ` : ''}${'   '.repeat(Math.min(i, 12) - 1)}└─ `;
      expect(line.startsWith(`${indent}span ${i}  [workflow]  svc  `), line).toBe(true);
    });
    expect(Math.max(...spanLines.map((l) => l.length))).toBeLessThan(100);
  });

  it('shows every span of a parent cycle, flagged, and what hangs below it', async () => {
    // span 0 a root; spans 1 → 4 → 3 → 2 → 1 a cycle (parent of 1 is 4); span 5 a child of
    // span 2; span 6 an orphan and span 7 its child.
    const parents: (number | string | undefined)[] = [
      undefined,
      4,
      1,
      2,
      3,
      2,
      'feedfacefeedface',
      6,
    ];
    const shape = await recordShape(parents.length, (i) => parents[i]);
    const file = join(dir, 'cycle.db');
    const server = await startDevServer({ port: 0, dbPath: file });
    try {
      expect((await post(server.url, 'k', shape.body)).status).toBe(200);
    } finally {
      await server.close();
    }
    const run = runBin(['trace', shape.traceId, '--db', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const cycle = '  (cycle: its parent chain loops back to it)';
    expect(run.stdout.split('\n').slice(1)).toEqual([
      '8 spans · 1 services (svc) · 0 errors · via galileo',
      '',
      'span 0  [workflow]  svc  16 ms',
      'span 6  [workflow]  svc  4 ms  (orphan: parent feedfacefeedface not received)',
      '└─ span 7  [workflow]  svc  2 ms',
      `span 1  [workflow]  svc  14 ms${cycle}`,
      `└─ span 2  [workflow]  svc  12 ms${cycle}`,
      `   ├─ span 3  [workflow]  svc  10 ms${cycle}`,
      `   │  └─ span 4  [workflow]  svc  8 ms${cycle}`,
      '   └─ span 5  [workflow]  svc  6 ms',
      '',
    ]);
    const json = JSON.parse(runBin(['trace', shape.traceId, '--db', file, '--json']).stdout) as {
      spans: { name: string; cycle: boolean; orphan: boolean }[];
    };
    expect(json.spans.filter((s) => s.cycle).map((s) => s.name)).toEqual([
      'span 1',
      'span 2',
      'span 3',
      'span 4',
    ]);
    expect(json.spans.filter((s) => s.orphan).map((s) => s.name)).toEqual(['span 6']);
  });

  it('refuses a file that is not a trace store in one line and leaves it byte-identical', async () => {
    // Another application's SQLite database, in the default rollback-journal mode.
    const other = join(dir, 'other.db');
    const db = new DatabaseSync(other);
    db.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada');",
    );
    db.close();
    const notes = join(dir, 'notes.db');
    writeFileSync(notes, 'not a database at all\n');
    const before = { other: sha256(other), notes: sha256(notes) };

    for (const [file, reason] of [
      [other, 'no spans table; its tables: users'],
      [notes, 'not an SQLite database'],
    ] as const) {
      for (const args of [
        ['traces'],
        ['traces', '--json'],
        ['trace', 'latest'],
        ['trace', 'ab'.repeat(16), '--json'],
      ]) {
        const run = runBin([...args, '--db', file]);
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe(
          `${file} is not a galileo-otel trace store (${reason}); it was left untouched. ` +
            'Pass --db the file `galileo-otel dev` writes (default ./.galileo-otel/traces.db).\n',
        );
        expect(run.code).toBe(1);
      }
    }
    // The receiver refuses it too, rather than converting it to WAL and adding its table.
    const dev = spawnSync(process.execPath, [bin, 'dev', '--port', '0', '--db', other], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(dev.stderr).toBe(
      `${other} is not a galileo-otel trace store (no spans table; its tables: users); it was left untouched. Pass --db a new file or a trace store.\n`,
    );
    expect(dev.status).toBe(1);

    expect({ other: sha256(other), notes: sha256(notes) }).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['notes.db', 'other.db']);
  });

  it('reads the store read-only while dev writes to it', async () => {
    const file = join(dir, 'live.db');
    const spans = await recordSpans((tracer) => tracer.startSpan('live span').end());
    const traceId = spans[0]?.spanContext().traceId ?? '';
    const dev = await startDev(['--port', '0', '--db', file]);
    expect((await post(dev.url, 'k', toProtobuf(spans))).status).toBe(200);

    const list = runBin(['traces', '--json', '--db', file]);
    expect(list.stderr).toBe('');
    expect((JSON.parse(list.stdout) as { traceId: string }[]).map((t) => t.traceId)).toEqual([
      traceId,
    ]);
    const one = runBin(['trace', traceId, '--db', file]);
    expect(one.stdout).toContain('live span  [workflow]  svc');
    expect(one.code).toBe(0);
    expect(await dev.stop()).toEqual({ code: 0, signal: null });
  });

  it('keeps --db :memory: in memory, as SQLite does: dev stores there, reads show an empty store', async () => {
    const empty = runBin(['traces', '--db', ':memory:']);
    expect(empty).toEqual({ code: 0, stdout: 'No traces stored yet.\n', stderr: '' });
    expect(runBin(['traces', '--json', '--db', ':memory:'])).toEqual({
      code: 0,
      stdout: '[]\n',
      stderr: '',
    });
    expect(runBin(['trace', 'latest', '--db', ':memory:'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'No traces stored yet.\n',
    });

    const spans = await recordSpans((tracer) => tracer.startSpan('kept in memory').end());
    const traceId = spans[0]?.spanContext().traceId ?? '';
    const dev = await startDev(['--port', '0', '--db', ':memory:']);
    expect(dev.output()).toContain('Database: :memory: (in memory, gone when dev stops)');
    expect((await post(dev.url, 'k', toProtobuf(spans))).status).toBe(200);
    expect(await spanCount(dev.url, traceId)).toBe(1);
    expect(await dev.stop()).toEqual({ code: 0, signal: null });
    expect(readdirSync(dir)).toEqual([]);
  });
});

// The system Node of this machine is 20; the test needs one older than 22.18 to mean anything.
const OLD_NODE = '/usr/bin/node';
const oldNodeVersion = existsSync(OLD_NODE)
  ? execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
  : undefined;
const [oldMajor = 0, oldMinor = 0] = (oldNodeVersion ?? '').split('.').map(Number);
const isOld = oldNodeVersion !== undefined && (oldMajor < 22 || (oldMajor === 22 && oldMinor < 18));

describe.skipIf(!isOld)(
  `the galileo-otel bin on ${OLD_NODE} (skipped when it is missing or >= 22.18: ${oldNodeVersion ?? 'missing'})`,
  () => {
    it('prints one line naming the Node version it needs and exits 1, with no stack trace', () => {
      for (const args of [['traces'], ['dev', '--port', '0'], ['--help']]) {
        const run = spawnSync(OLD_NODE, [bin, ...args], { cwd: dir, encoding: 'utf8' });
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe(
          `galileo-otel needs Node.js >= 22.18 (for node:sqlite); this is Node.js ${oldNodeVersion}.\n`,
        );
        expect(run.status).toBe(1);
      }
    });
  },
);
