import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GalileoRegistration, registerGalileo } from '../register-galileo.js';
import {
  galileoExpress,
  galileoExpressErrors,
  galileoFastify,
  galileoHono,
} from './server-middleware.js';

const FIXTURE = fileURLToPath(new URL('./__fixtures__/http-handler-errors.mjs', import.meta.url));

let sink: OtlpSink;
let galileo: GalileoRegistration;
beforeAll(async () => {
  sink = await startOtlpSink();
  galileo = registerGalileo({ apiKey: 'k', endpoint: sink.url, logger: false });
});
afterAll(async () => {
  await galileo.shutdown();
  await sink.close();
});

/** The one error shape: status ERROR, `error.type` and an `exception` event with the message. */
function expectErrorShape(span: OtlpSpan | undefined, message: string) {
  expect(span?.status.code).toBe(2);
  expect(span?.attributes['error.type']).toBe('Error');
  const exception = span?.events.find((e) => e.name === 'exception');
  expect(exception?.attributes['exception.message']).toBe(message);
  expect(exception?.attributes['exception.type']).toBe('Error');
}

async function serverSpan(name: string): Promise<OtlpSpan | undefined> {
  await galileo.forceFlush();
  return sink.spans().find((s) => s.name === name && s.kind === 2);
}

/** A request the client gives up on once the handler has started (it never answers). */
async function abandonedRequest(url: string, started: Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  const request = fetch(url, { signal: controller.signal }).catch(() => undefined);
  await started;
  controller.abort();
  await request;
}

interface Answer {
  status: number;
  body: string;
}

// The answer, without stack frames: tracing adds a frame or two to an error page's stack.
async function answer(url: string): Promise<Answer> {
  const response = await fetch(url);
  const body = (await response.text()).replace(/(<br>)?(\s|&nbsp;)*at [^<\n]+/g, '');
  return { status: response.status, body };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('node:http via traceHttpHandler: handler errors behave as they do untraced', () => {
  interface Service {
    child: ChildProcess;
    url: string;
    lines: string[];
    line: (prefix: string) => Promise<string>;
    exited: Promise<[number | null, NodeJS.Signals | null]>;
    stderr: () => string;
  }

  async function service(traced: 'on' | 'off', failure: string, survive: 'yes' | 'no') {
    const child = spawn(process.execPath, [FIXTURE, traced, failure, survive], {
      env: { ...process.env, GALILEO_API_KEY: 'test-key', GALILEO_API_ENDPOINT: sink.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      lines.push(text);
      for (const wake of waiters.splice(0)) wake();
    });
    const line = async (prefix: string): Promise<string> => {
      for (;;) {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    const exited = once(child, 'exit') as Service['exited'];
    const port = (await line('LISTENING ')).split(' ')[1];
    return {
      child,
      url: `http://127.0.0.1:${port}/fail`,
      lines,
      line,
      exited,
      stderr: () => stderr,
    } satisfies Service;
  }

  for (const failure of ['reject', 'throw'] as const) {
    it(`a handler that ${failure}s crashes the process as it does untraced`, async () => {
      const outcomes = [];
      for (const traced of ['off', 'on'] as const) {
        const s = await service(traced, failure, 'no');
        await fetch(s.url).catch(() => undefined);
        const [code, signal] = await s.exited;
        outcomes.push({ code, signal, printed: s.stderr().includes('Error: boom') });
        // Traced, the crash cannot wait for the network, so the loss is said, not silent.
        if (traced === 'on') expect(s.stderr()).toContain('exited with 1 spans not yet exported');
      }
      expect(outcomes[1]).toEqual(outcomes[0]);
      expect(outcomes[0]).toEqual({ code: 1, signal: null, printed: true });
    });
  }

  it('a rejection the app logs and survives leaves an ERROR span with no status code', async () => {
    sink.clear();
    const s = await service('on', 'reject', 'yes');
    const request = fetch(s.url, { signal: AbortSignal.timeout(600_000) }).catch(() => undefined);
    await s.line('UNHANDLED boom');
    // The request still hangs, as it does untraced, until the client gives up.
    expect(s.lines).not.toContain('ANSWERED');
    s.child.kill('SIGTERM');
    await s.exited;
    await request;
    const span = sink.spans().find((x) => x.name === 'GET /fail');
    expectErrorShape(span, 'boom');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
  });

  it('a handler that never answers is an ERROR span with no status code, not a 200', async () => {
    sink.clear();
    const s = await service('on', 'hang', 'no');
    await abandonedRequest(s.url, s.line('HANDLING'));
    await s.line('CLIENT GONE');
    s.child.kill('SIGTERM');
    await s.exited;
    const span = sink.spans().find((x) => x.name === 'GET /fail');
    expect(span?.status.code).toBe(2);
    expect(span?.attributes['error.type']).toBe('ResponseNotSent');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
  });
});

describe('Express, Fastify and Hono answer errors as they do untraced, and the span records them', () => {
  function expressApp(traced: boolean) {
    const app = express();
    if (traced) app.use(galileoExpress());
    app.get('/throw', () => {
      throw new Error('boom');
    });
    app.get('/reject', async () => {
      throw new Error('boom');
    });
    app.get('/hang', (_req, _res) => {
      hangStarted.express?.();
    });
    if (traced) app.use(galileoExpressErrors());
    return app;
  }

  function fastifyApp(traced: boolean) {
    const app = Fastify();
    if (traced) galileoFastify(app);
    app.get('/throw', () => {
      throw new Error('boom');
    });
    app.get('/reject', async () => {
      throw new Error('boom');
    });
    app.get('/hang', () => {
      hangStarted.fastify?.();
      return new Promise(() => {});
    });
    return app;
  }

  function honoApp(traced: boolean) {
    const app = new Hono();
    if (traced) app.use(galileoHono());
    app.get('/throw', () => {
      throw new Error('boom');
    });
    app.get('/reject', async () => {
      throw new Error('boom');
    });
    app.get('/hang', () => {
      hangStarted.hono?.();
      return new Promise<Response>(() => {});
    });
    return app;
  }

  const hangStarted: Record<string, (() => void) | undefined> = {};

  async function start(
    name: string,
    traced: boolean,
  ): Promise<{ url: string; stop: () => Promise<void> }> {
    if (name === 'express') {
      const server = createServer(expressApp(traced));
      const url = await listen(server);
      return { url, stop: () => closeServer(server) };
    }
    if (name === 'fastify') {
      const app = fastifyApp(traced);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, stop: () => app.close() };
    }
    const server = serve({
      fetch: honoApp(traced).fetch,
      port: 0,
      hostname: '127.0.0.1',
    }) as Server;
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, stop: () => closeServer(server) };
  }

  async function closeServer(server: Server): Promise<void> {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  for (const name of ['express', 'fastify', 'hono']) {
    for (const route of ['throw', 'reject']) {
      it(`${name}: a handler that ${route}s gets the same answer and an ERROR span`, async () => {
        const plain = await start(name, false);
        const untraced = await answer(`${plain.url}/${route}`);
        await plain.stop();
        const traced = await start(name, true);
        const withTracing = await answer(`${traced.url}/${route}`);
        await traced.stop();
        expect(withTracing).toEqual(untraced);
        expect(untraced.status).toBe(500);
        const span = await serverSpan(`GET /${route}`);
        expectErrorShape(span, 'boom');
        expect(span?.attributes['http.response.status_code']).toBe(500);
        sink.clear();
      });
    }

    it(`${name}: a handler that never answers is an ERROR span with no status code`, async () => {
      const traced = await start(name, true);
      const started = new Promise<void>((resolve) => {
        hangStarted[name] = resolve;
      });
      await abandonedRequest(`${traced.url}/hang`, started);
      let span: OtlpSpan | undefined;
      // The server sees the client leave a moment after the client does.
      while (!span) {
        span = await serverSpan('GET /hang');
        if (!span) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await traced.stop();
      expect(span.status.code).toBe(2);
      expect(span.attributes['error.type']).toBe('ResponseNotSent');
      expect(span.attributes['http.response.status_code']).toBeUndefined();
      sink.clear();
    });
  }
});
