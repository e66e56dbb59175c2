import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createTcpServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../__fixtures__/exit-scenarios.mjs', import.meta.url));
const HUNDRED = (mode: string) => Array.from({ length: 100 }, (_, i) => `${mode}-${i}`).sort();
// Longer than any test may take: a process that waits this long has not exited "at once".
const NEVER_MS = 600_000;

interface Child {
  process: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const sinks: OtlpSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

async function sink(port?: number): Promise<OtlpSink> {
  const started = await startOtlpSink(port === undefined ? {} : { port });
  sinks.push(started);
  return started;
}

/** Starts the fixture as its own OS process and waits until its spans are queued. */
async function run(mode: string, endpoint: string, options: object = {}): Promise<Child> {
  const child = spawn(process.execPath, [FIXTURE, mode, JSON.stringify(options)], {
    env: { ...process.env, GALILEO_API_KEY: 'test-key', GALILEO_API_ENDPOINT: endpoint },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code,
    signal,
  })) as Child['exited'];
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return { process: child, stderr: () => stderr, exited };
}

const names = (s: OtlpSink) =>
  s
    .spans()
    .map((span) => span.name)
    .sort();

/** Resolves once the sink has received `count` requests. */
async function requestsReceived(s: OtlpSink, count: number): Promise<void> {
  while (s.requests.length < count) await new Promise((r) => setTimeout(r, 10));
}

/**
 * A port that refuses nothing yet: the first connection is dropped, then the real receiver
 * starts on the same port, as a receiver that is down for a moment and comes back.
 */
async function downThenUp(): Promise<{ url: string; up: Promise<OtlpSink> }> {
  const gate: Server = createTcpServer();
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const port = (gate.address() as { port: number }).port;
  const up = new Promise<OtlpSink>((resolve) => {
    gate.once('connection', (socket) => {
      socket.destroy();
      gate.close(() => resolve(sink(port)));
    });
  });
  return { url: `http://127.0.0.1:${port}/otel/traces`, up };
}

describe('exit paths deliver queued spans by default (real processes)', () => {
  it('a plain script that ends naturally delivers every span, with no option set', async () => {
    const receiver = await sink();
    const child = await run('natural', receiver.url);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(names(receiver)).toEqual(HUNDRED('natural'));
    expect(child.stderr()).toBe('');
  });

  it('a natural exit waits through a 503 and the retry backoff, then delivers', async () => {
    const receiver = await sink();
    receiver.script({ status: 503 });
    const child = await run('natural', receiver.url);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(names(receiver)).toEqual(HUNDRED('natural'));
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('a natural exit waits for a receiver that is down at first and comes back', async () => {
    const { url, up } = await downThenUp();
    const child = await run('natural', url);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(names(await up)).toEqual(HUNDRED('natural'));
  });

  it('SIGTERM to a server whose own handler stops its work still delivers through a 503', async () => {
    const receiver = await sink();
    receiver.script({ status: 503 });
    const child = await run('serve', receiver.url);
    child.process.kill('SIGTERM');
    const ended = await child.exited;
    expect(names(receiver)).toEqual(HUNDRED('serve'));
    // The app's handler kept SIGTERM from killing it; with its work stopped it exits normally.
    expect(ended).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM to a server with no handler of its own delivers through a 503, then ends by SIGTERM', async () => {
    const receiver = await sink();
    receiver.script({ status: 503 });
    const child = await run('serve-plain', receiver.url);
    child.process.kill('SIGTERM');
    // Untraced, SIGTERM kills such a process; traced, it still does, after the flush.
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(names(receiver)).toEqual(HUNDRED('serve-plain'));
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('SIGINT flushes, then ends the process by SIGINT as Ctrl-C would', async () => {
    const receiver = await sink();
    const child = await run('serve', receiver.url);
    child.process.kill('SIGINT');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(names(receiver)).toEqual(HUNDRED('serve'));
  });

  it('a second SIGINT while the flush waits exits at once and says what was lost', async () => {
    const receiver = await sink();
    receiver.respondWith(() => ({ status: 200, delayMs: NEVER_MS }));
    const child = await run('serve', receiver.url, { exitTimeoutMillis: NEVER_MS });
    child.process.kill('SIGINT');
    await requestsReceived(receiver, 1);
    child.process.kill('SIGINT');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(child.stderr()).toContain('SIGINT again: exiting without waiting; 100 spans were not');
  });

  it('a natural exit gives up at exitTimeoutMillis and says what was not delivered', async () => {
    const receiver = await sink();
    receiver.respondWith(() => ({ status: 200, delayMs: NEVER_MS }));
    const child = await run('natural', receiver.url, { exitTimeoutMillis: 500 });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(receiver.spans()).toEqual([]);
    expect(child.stderr()).toContain(
      'the process was exiting: 0 spans were delivered and 100 were not (still unsent after 500 ms',
    );
  });

  it('process.exit() with spans queued warns once with the count and keeps the exit code', async () => {
    const receiver = await sink();
    const child = await run('exit-call', receiver.url);
    expect(await child.exited).toEqual({ code: 3, signal: null });
    const warnings = child.stderr().match(/exited with 100 spans not yet exported/g) ?? [];
    expect(warnings).toHaveLength(1);
    expect(child.stderr()).toContain('galileo.shutdown()');
  });

  it('with flushOnExit off, a natural exit sends nothing and warns about the loss', async () => {
    const receiver = await sink();
    const child = await run('natural', receiver.url, { flushOnExit: false });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(receiver.requests).toEqual([]);
    expect(child.stderr()).toContain('exited with 100 spans not yet exported');
  });

  it('with flushOnExit off, SIGINT ends the process at once, as it would untraced', async () => {
    const receiver = await sink();
    const child = await run('serve', receiver.url, { flushOnExit: false });
    child.process.kill('SIGINT');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(receiver.requests).toEqual([]);
  });
});
