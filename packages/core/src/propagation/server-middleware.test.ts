import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { serve } from '@hono/node-server';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GalileoRegistration, registerGalileo } from '../register-galileo.js';
import { injectTraceHeaders } from './propagation.js';
import {
  galileoExpress,
  galileoFastify,
  galileoHono,
  traceHttpHandler,
} from './server-middleware.js';

const UPSTREAM_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const UPSTREAM_SPAN = '00f067aa0ba902b7';

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

/** Handler body shared by every framework: a child span proves the handler ran in context. */
function handlerWork(): string {
  const span = trace.getTracer('app').startSpan('handler-work');
  span.end();
  return trace.getActiveSpan()?.spanContext().spanId ?? 'none';
}

async function callWithUpstream(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`,
      baggage: 'galileo.session.id=sess-mw',
    },
  });
  return response.text();
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function expectJoined(path: string, activeSpanId: string) {
  await galileo.forceFlush();
  const spans = sink.spans().filter((s) => s.traceId === UPSTREAM_TRACE);
  const server = spans.find((s) => s.name === `POST ${path}` && s.kind === 2);
  expect(server?.parentSpanId).toBe(UPSTREAM_SPAN);
  expect(server?.spanId).toBe(activeSpanId);
  expect(server?.attributes['galileo.session.id']).toBe('sess-mw');
  expect(server?.attributes['http.response.status_code']).toBe(200);
  const work = spans.find((s) => s.name === 'handler-work' && s.parentSpanId === server?.spanId);
  expect(work?.attributes['galileo.session.id']).toBe('sess-mw');
}

describe('server helpers join the caller trace from traceparent and baggage', () => {
  it('node:http via traceHttpHandler', async () => {
    const server = createServer(
      traceHttpHandler((_req, res) => {
        res.end(handlerWork());
      }),
    );
    const url = await listen(server);
    const active = await callWithUpstream(`${url}/node-http`);
    server.close();
    await expectJoined('/node-http', active);
  });

  it('Express via galileoExpress', async () => {
    const app = express();
    app.use(galileoExpress());
    app.post('/express', (_req, res) => {
      res.send(handlerWork());
    });
    const server = createServer(app);
    const url = await listen(server);
    const active = await callWithUpstream(`${url}/express?x=1`);
    server.close();
    await expectJoined('/express', active);
  });

  it('Hono via galileoHono', async () => {
    const app = new Hono();
    app.use(galileoHono());
    app.post('/hono', (c) => c.text(handlerWork()));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const active = await callWithUpstream(`${url}/hono`);
    server.close();
    await expectJoined('/hono', active);
  });

  it('Fastify via galileoFastify', async () => {
    const app = Fastify();
    galileoFastify(app);
    app.post('/fastify', async () => handlerWork());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const active = await callWithUpstream(`${url}/fastify`);
    await app.close();
    await expectJoined('/fastify', active);
  });

  it('ignores incoming context on a trust boundary when asked', async () => {
    const server = createServer(
      traceHttpHandler(
        (_req, res) => {
          res.end(handlerWork());
        },
        { ignoreIncoming: true },
      ),
    );
    const url = await listen(server);
    await callWithUpstream(`${url}/public`);
    server.close();
    await galileo.forceFlush();
    const span = sink.spans().find((s) => s.name === 'POST /public');
    expect(span?.traceId).not.toBe(UPSTREAM_TRACE);
    expect(span?.parentSpanId).toBeUndefined();
    expect(span?.attributes['galileo.session.id']).toBeUndefined();
  });

  it('injects traceparent and baggage for the active context', () => {
    const tracer = trace.getTracer('app');
    const span = tracer.startSpan('outgoing');
    const bag = propagation.createBaggage({ 'galileo.session.id': { value: 's-1' } });
    const ctx = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, span), bag);
    const headers = context.with(ctx, () => injectTraceHeaders({ 'x-extra': '1' }));
    span.end();
    expect(headers['x-extra']).toBe('1');
    expect(headers.traceparent).toBe(
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    );
    // The session travels under both names, for Splunk AO services in other languages.
    expect(headers.baggage).toBe('galileo.session.id=s-1,gen_ai.conversation.id=s-1');
  });
});
