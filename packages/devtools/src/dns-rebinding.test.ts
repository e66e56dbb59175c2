// DNS rebinding against the local receiver, in a real headless Chromium. A real attacker serves
// a page for attacker.test:<receiver port> from its own address, then re-points attacker.test at
// 127.0.0.1: the page's script, same-origin with attacker.test all along, now reaches the
// receiver. Here Chromium resolves attacker.test to 127.0.0.1 (--host-resolver-rules); the first
// answer, the page itself, comes from a second loopback server (the attacker's: Playwright sends
// that one request to its port), and every request after it reaches the receiver.
import { createServer, type Server } from 'node:http';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './index.js';
import { recordSpans, toProtobuf } from './test-support/agent-trace.js';
import { launchChromium, type TestBrowser } from './test-support/chromium.js';

const SECRET = 'plan: ship the launch codes';

// Plain JS, run in the page: what the attacker's script tries, and what each request gave.
const ATTACK = `async function attack(traceId, body64) {
  const out = {};
  const grab = async (name, path, init) => {
    try {
      const res = await fetch(path, init);
      out[name] = { status: res.status, text: await res.text() };
    } catch (error) {
      out[name] = { error: String(error) };
    }
  };
  await grab('list', '/api/traces');
  await grab('trace', '/api/traces/' + traceId);
  await grab('page', '/traces/' + traceId);
  await grab('events', '/api/stats');
  const body = Uint8Array.from(atob(body64), (c) => c.charCodeAt(0));
  await grab('post', '/otel/traces', {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'galileo-api-key': 'k' },
    body,
  });
  return out;
}`;

interface Outcome {
  status?: number;
  text?: string;
  error?: string;
}
type Results = Record<'list' | 'trace' | 'page' | 'events' | 'post', Outcome>;

let server: DevServer;
let attacker: Server;
let attackerUrl: string;
let chromium: TestBrowser;
let browser: BrowserContext;
let secretTraceId: string;
let planted: { traceId: string; body64: string };

beforeAll(async () => {
  server = await startDevServer({ port: 0, dbPath: ':memory:' });
  const secret = await recordSpans((tracer) => tracer.startSpan(SECRET).end());
  secretTraceId = secret[0]?.spanContext().traceId ?? '';
  const stored = await fetch(server.otlpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'galileo-api-key': 'k' },
    body: toProtobuf(secret),
  });
  expect(stored.status).toBe(200);
  const fake = await recordSpans((tracer) => tracer.startSpan('planted by attacker.test').end());
  planted = {
    traceId: fake[0]?.spanContext().traceId ?? '',
    body64: Buffer.from(toProtobuf(fake)).toString('base64'),
  };

  const html =
    '<!doctype html><title>attacker</title><script>' +
    `${ATTACK}\nattack(${JSON.stringify(secretTraceId)}, ${JSON.stringify(planted.body64)})` +
    '.then((r) => { window.__result = r; });</script>';
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;

  chromium = await launchChromium({ args: ['--host-resolver-rules=MAP attacker.test 127.0.0.1'] });
  browser = chromium.browser;
  // Nothing but loopback, by address or through the mapped name.
  await browser.route(
    (url) => url.hostname !== 'attacker.test' && url.hostname !== '127.0.0.1',
    (route) => route.abort(),
  );
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await server?.close();
});

describe('DNS rebinding in headless Chromium', () => {
  it('refuses a page on attacker.test: no trace list, no span text, no spans posted', async () => {
    const port = new URL(server.url).port;
    const page = await browser.newPage();
    // The mapping is live: attacker.test reaches loopback servers by name.
    const attackerPort = new URL(attackerUrl).port;
    const direct = await page.goto(`http://attacker.test:${attackerPort}/`);
    expect(await direct?.text()).toContain('<title>attacker</title>');

    const before = server.stats();
    // The attacker's first answer for attacker.test:<receiver port>: its own page, fetched over
    // loopback from its server (so Chromium files the page under the loopback address space, as
    // it would a page from a rebound name in a browser without Private Network Access checks).
    await page.route(`http://attacker.test:${port}/`, (route) =>
      route.continue({ url: `http://attacker.test:${attackerPort}/` }),
    );
    await page.goto(`http://attacker.test:${port}/`);
    const results = (await (
      await page.waitForFunction('window.__result', undefined, { timeout: 20_000 })
    ).jsonValue()) as Results;

    for (const [name, outcome] of Object.entries(results)) {
      expect({ name, status: outcome.status }).toEqual({ name, status: 421 });
      expect(outcome.text).toMatch(/^Host "attacker\.test:\d+" refused/);
      expect(outcome.text).not.toContain(SECRET);
      expect(outcome.text).not.toContain(secretTraceId);
    }
    expect(server.store.getTrace(planted.traceId)).toEqual([]);
    expect(server.stats().insertedSpans).toBe(before.insertedSpans);
    await page.close();
  });

  it('answers the same requests from a page on 127.0.0.1', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const results = (await page.evaluate(
      `(${ATTACK})(${JSON.stringify(secretTraceId)}, ${JSON.stringify(planted.body64)})`,
    )) as Results;
    expect(results.list.status).toBe(200);
    expect(results.list.text).toContain(SECRET);
    expect(results.trace.status).toBe(200);
    expect(results.trace.text).toContain(SECRET);
    expect(results.page.status).toBe(200);
    expect(results.page.text).toContain('<title>Local Galileo</title>');
    expect(results.events.status).toBe(200);
    expect(results.post.status).toBe(200);
    expect(server.store.getTrace(planted.traceId).map((s) => s.name)).toEqual([
      'planted by attacker.test',
    ]);
    await page.close();
  });
});
