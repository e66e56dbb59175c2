import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './index.js';
import {
  otlpExporter,
  type RecordedTrace,
  recordAgentTrace,
  recordShape,
  recordSpans,
  toProtobuf,
} from './test-support/agent-trace.js';
import { launchChromium, type TestBrowser } from './test-support/chromium.js';

const artifacts = join(import.meta.dirname, '..', '.vitest');

let server: DevServer;
let chromium: TestBrowser;
let browser: BrowserContext;
let recorded: RecordedTrace;
/** What the pages of the running test said and did, printed only when the test fails. */
let pageLog: string[] = [];

beforeAll(async () => {
  server = await startDevServer({ port: 0, dbPath: ':memory:' });
  recorded = await recordAgentTrace(otlpExporter(server.otlpUrl));
  await server.store.waitForSpans(recorded.traceId, recorded.spanCount, 20_000);
  mkdirSync(artifacts, { recursive: true });
  chromium = await launchChromium({ viewport: { width: 1440, height: 900 } });
  browser = chromium.browser;
  // Every page records what its Content-Security-Policy blocked.
  await browser.addInitScript(
    'window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => ' +
      'window.__csp.push(e.violatedDirective + " " + e.blockedURI));',
  );
  browser.on('page', (page) => {
    const t0 = Date.now();
    const log = (line: string) => pageLog.push(`+${Date.now() - t0} ms ${line}`);
    page.on('pageerror', (e) => log(`pageerror ${e.message}`));
    page.on('console', (m) => log(`console.${m.type()} ${m.text()}`));
    page.on('requestfinished', (r) => log(`request ${r.method()} ${r.url()} done`));
    page.on('requestfailed', (r) => log(`request ${r.method()} ${r.url()} failed`));
  });
  // Nothing but the local server may be contacted.
  await browser.route(
    (url) => !url.href.startsWith(server.url),
    (route) => route.abort(),
  );
}, 60_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    const pages = browser?.pages() ?? [];
    for (const page of pages) {
      const text = await page
        .evaluate('document.getElementById("app")?.innerText.slice(0, 2000)')
        .catch((e: unknown) => `(unreadable: ${String(e)})`);
      pageLog.push(`page ${page.url()} shows: ${JSON.stringify(text)}`);
    }
    console.error(`what the browser did in this test:\n${pageLog.join('\n')}`);
  }
  pageLog = [];
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('viewer in headless Chromium', () => {
  it('lists the trace under its project and log stream, then shows the waterfall', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const response = await page.goto(server.url);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'sha256-/);

    const group = page.locator('section.group[data-project="p"]');
    await expect.poll(() => group.locator('h2').textContent()).toContain('Log stream l');
    const row = group.locator(`tr[data-trace-id="${recorded.traceId}"]`);
    await expect.poll(() => row.textContent()).toContain('workflow run');
    expect(await row.locator('.badge').allTextContents()).toEqual([
      'workflow',
      'agent',
      'llm',
      'tool',
      'retriever',
    ]);
    expect(await row.locator('.svc').allTextContents()).toEqual(['planner', 'researcher']);

    await page.screenshot({ path: join(artifacts, 'viewer-list.png') });
    await row.click();
    await page.waitForURL(`**/traces/${recorded.traceId}`);
    const rows = page.locator('[data-testid="waterfall"] .span-row');
    await expect.poll(() => rows.count()).toBe(8);

    // The tree: depth-first order with depths, across both services.
    const tree = await rows.evaluateAll((nodes) =>
      nodes.map((n) => ({
        name: n.querySelector('.label')?.textContent,
        depth: Number(n.getAttribute('data-depth')),
        kind: n.getAttribute('data-kind'),
        service: n.querySelector('.svc')?.textContent,
      })),
    );
    expect(tree).toEqual([
      { name: 'workflow run', depth: 0, kind: 'workflow', service: 'planner' },
      { name: 'invoke_agent planner', depth: 1, kind: 'agent', service: 'planner' },
      { name: 'chat gpt-4o-mini', depth: 2, kind: 'llm', service: 'planner' },
      { name: 'execute_tool geocode', depth: 2, kind: 'tool', service: 'planner' },
      { name: 'execute_tool get_weather', depth: 2, kind: 'tool', service: 'planner' },
      { name: 'invoke_agent researcher', depth: 2, kind: 'agent', service: 'researcher' },
      { name: 'query docs', depth: 3, kind: 'retriever', service: 'researcher' },
      { name: 'chat llama3', depth: 3, kind: 'llm', service: 'researcher' },
    ]);

    // The failing tool span is highlighted and selected by default, with its error shown.
    const errorRows = page.locator('.span-row[data-error="true"]');
    expect(await errorRows.count()).toBe(1);
    expect(await errorRows.locator('.label').textContent()).toBe('execute_tool get_weather');
    expect(await errorRows.locator('.badge.err').textContent()).toBe('error');
    const detail = page.locator('aside.detail');
    expect(await detail.locator('[data-testid="span-error"]').textContent()).toContain(
      'TimeoutError',
    );
    expect(await detail.textContent()).toContain('"city": "Paris"');

    // The LLM span shows model, tokens and messages.
    await page.locator(`.span-row[data-span-id="${recorded.ids.llm}"]`).click();
    await expect.poll(() => detail.getAttribute('data-span-id')).toBe(recorded.ids.llm);
    const llmText = (await detail.textContent()) ?? '';
    expect(llmText).toContain('gpt-4o-mini');
    expect(llmText).toContain('42 in · 7 out');
    expect(llmText).toContain('What is the weather in Paris?');
    expect(llmText).toContain('Let me check the weather tool.');

    // A tool that returned shows its result, pretty-printed, under its own heading.
    await page.locator(`.span-row[data-span-id="${recorded.ids.geocode}"]`).click();
    await expect.poll(() => detail.getAttribute('data-span-id')).toBe(recorded.ids.geocode);
    expect(
      await detail.locator('h4:text-is("Tool result") + pre').textContent({ timeout: 20_000 }),
    ).toBe(JSON.stringify({ lat: 48.8566, lon: 2.3522 }, null, 2));
    expect(
      await detail.locator('h4:text-is("Tool arguments") + pre').textContent({ timeout: 20_000 }),
    ).toBe(JSON.stringify({ city: 'Paris' }, null, 2));

    // Each time bar starts and spans in proportion to the trace's 1550 ms, as recorded.
    const offsets: Record<string, [start: number, duration: number]> = {
      'workflow run': [0, 1550],
      'invoke_agent planner': [20, 1510],
      'chat gpt-4o-mini': [40, 600],
      'execute_tool geocode': [645, 10],
      'execute_tool get_weather': [660, 250],
      'invoke_agent researcher': [930, 580],
      'query docs': [950, 250],
      'chat llama3': [1210, 290],
    };
    const bars = await rows.evaluateAll((nodes) =>
      nodes.map((n) => {
        const track = n.querySelector('.bar-track')?.getBoundingClientRect();
        const bar = n.querySelector('.bar')?.getBoundingClientRect();
        return {
          name: n.querySelector('.label')?.textContent ?? '',
          track: track?.width ?? 0,
          left: (bar?.left ?? 0) - (track?.left ?? 0),
          width: bar?.width ?? 0,
        };
      }),
    );
    expect(bars.map((b) => b.name).sort()).toEqual(Object.keys(offsets).sort());
    for (const bar of bars) {
      const [start, duration] = offsets[bar.name] ?? [Number.NaN, Number.NaN];
      expect(bar.track, bar.name).toBeGreaterThan(200);
      expect(Math.abs(bar.left - (bar.track * start) / 1550), `${bar.name} left`).toBeLessThan(1);
      expect(Math.abs(bar.width - (bar.track * duration) / 1550), `${bar.name} width`).toBeLessThan(
        1,
      );
    }

    await page.screenshot({ path: join(artifacts, 'viewer.png'), fullPage: true });
    expect(errors).toEqual([]);
    // It all ran under the strict policy, which blocked nothing.
    expect(await page.evaluate('window.__csp')).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('enforces its Content-Security-Policy: a script injected into the page does not run', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await expect.poll(() => page.locator('#live').textContent()).toBe('Live');
    // What a markup injection would amount to: an inline script.
    await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__ran = true';
      document.body.append(script);
    })()`);
    expect(await page.evaluate('window.__ran === undefined')).toBe(true);
    expect(await page.evaluate('window.__csp')).toEqual(['script-src-elem inline']);
    await page.close();
  });

  it('updates live and flags orphans when spans arrive', async () => {
    const page = await browser.newPage();
    const spans = await recordSpans((tracer) => {
      tracer.startSpan('late child').end();
    });
    const traceId = spans[0]?.spanContext().traceId ?? '';
    // Make the span an orphan: its parent is in another process that has not exported.
    Object.defineProperty(spans[0], 'parentSpanContext', {
      value: { traceId, spanId: '1234567890abcdef', traceFlags: 1, isRemote: true },
    });
    await page.goto(`${server.url}/traces/${traceId}`);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('has no spans yet');
    await expect.poll(() => page.locator('#live').textContent()).toBe('Live');

    const res = await fetch(server.otlpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'galileo-api-key': 'k' },
      body: toProtobuf(spans),
    });
    expect(res.status).toBe(200);
    const row = page.locator('.span-row[data-orphan="true"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('.badge.orphan').textContent()).toBe('orphan');
    expect(await page.locator('.orphan-box').textContent()).toContain('1234567890abcdef');
    await page.close();
  });

  it('renders a chain 10 000 spans deep: every span, a bounded number of DOM nodes per span', async () => {
    const chain = await recordShape(10_000, (i) => (i === 0 ? undefined : i - 1));
    expect((await postOtlp(chain.body)).status).toBe(200);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/traces/${chain.traceId}`);
    const rows = page.locator('[data-testid="waterfall"] .span-row');
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(10_000);

    const shown = await rows.evaluateAll((nodes) =>
      nodes.map((n) => ({
        name: n.querySelector('.label')?.textContent,
        depth: Number(n.getAttribute('data-depth')),
        // The declared width: measuring 10 000 rows would lay out the ones off screen.
        indent: n.querySelector('.indent')?.getAttribute('style') ?? null,
        depthLabel: n.querySelector('.depth')?.textContent ?? null,
      })),
    );
    const expected = Array.from({ length: 10_000 }, (_, i) => ({
      name: `span ${i}`,
      depth: i,
      // Indentation stops at 12 levels; deeper rows print their depth.
      indent: i === 0 ? null : `width: ${Math.min(i, 12) * 16}px;`,
      depthLabel: i > 12 ? String(i) : null,
    }));
    expect(shown).toEqual(expected);
    // Every node of the page, text nodes included (a string: this package has no DOM types).
    const nodes = await page.evaluate<number>(`(() => {
      const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
      let count = 0;
      while (walker.nextNode()) count++;
      return count;
    })()`);
    expect(nodes / 10_000).toBeLessThan(20);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows every span of a parent cycle, flagged, and what hangs below it', async () => {
    // span 0 a root; spans 1 → 4 → 3 → 2 → 1 a cycle (parent of 1 is 4); span 5 a child of
    // span 2; span 6 an orphan and span 7 its child.
    const parents = [undefined, 4, 1, 2, 3, 2, 'feedfacefeedface', 6];
    const shape = await recordShape(parents.length, (i) => parents[i]);
    expect((await postOtlp(shape.body)).status).toBe(200);
    const page = await browser.newPage();
    await page.goto(`${server.url}/traces/${shape.traceId}`);
    const rows = page.locator('[data-testid="waterfall"] .span-row');
    await expect.poll(() => rows.count()).toBe(8);
    const shown = await rows.evaluateAll((nodes) =>
      nodes.map((n) => ({
        name: n.querySelector('.label')?.textContent,
        depth: Number(n.getAttribute('data-depth')),
        flags: [...n.querySelectorAll('.badge.orphan, .badge.cycle')].map((b) => b.textContent),
      })),
    );
    expect(shown).toEqual([
      { name: 'span 0', depth: 0, flags: [] },
      { name: 'span 6', depth: 0, flags: ['orphan'] },
      { name: 'span 7', depth: 1, flags: [] },
      { name: 'span 1', depth: 0, flags: ['cycle'] },
      { name: 'span 2', depth: 1, flags: ['cycle'] },
      { name: 'span 3', depth: 2, flags: ['cycle'] },
      { name: 'span 4', depth: 3, flags: ['cycle'] },
      { name: 'span 5', depth: 2, flags: [] },
    ]);
    await page.locator(`.span-row[data-span-id="${shape.spanIds[3]}"]`).click();
    expect(await page.locator('aside.detail .cycle-box').textContent()).toContain('Cycle:');
    expect(await page.locator('.stat').allTextContents()).toContain('4spans in a cycle');
    await page.close();
  });
});

describe('sessions in headless Chromium', () => {
  const base = Date.now() - 60_000;
  /** Posts one trace of `service` with `attributes`, starting `offset` ms after `base`. */
  async function sessionTrace(options: {
    service: string;
    attributes: Record<string, string>;
    offset: number;
    path?: string;
    auth?: Record<string, string>;
    error?: boolean;
  }): Promise<string> {
    const spans = await recordSpans(
      (tracer) => {
        const span = tracer.startSpan(`turn of ${options.service}`, {
          startTime: base + options.offset,
          attributes: { 'gen_ai.operation.name': 'invoke_agent', ...options.attributes },
        });
        if (options.error) span.setStatus({ code: 2, message: 'it failed' });
        span.end(base + options.offset + 40);
      },
      { 'service.name': options.service },
    );
    const res = await fetch(`${server.url}${options.path ?? '/otel/traces'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-protobuf',
        ...(options.auth ?? { 'galileo-api-key': 'k' }),
      },
      body: toProtobuf(spans),
    });
    expect(res.status).toBe(200);
    return spans[0]?.spanContext().traceId ?? '';
  }

  async function watched(path: string) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}${path}`);
    return { page, errors };
  }

  it('lists a session, shows its traces in time order across services, linked from a trace', async () => {
    // Arrival order is not time order: the Python service's turn came first and arrives last.
    const nodeTrace = await sessionTrace({
      service: 'node-agent',
      attributes: { 'galileo.session.id': 'conv-viewer', 'gen_ai.conversation.id': 'conv-viewer' },
      offset: 1000,
      error: true,
    });
    const pythonTrace = await sessionTrace({
      service: 'python-agent',
      attributes: { 'gen_ai.conversation.id': 'conv-viewer' },
      offset: 0,
      path: '/otel/v1/traces',
      auth: { 'Splunk-AO-API-Key': 'k' },
    });
    const { page, errors } = await watched('/sessions');
    const row = page.locator('tr[data-session-id="conv-viewer"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('.svc').allTextContents()).toEqual(['node-agent', 'python-agent']);
    expect(await row.locator('.via').allTextContents()).toEqual(['Galileo', 'Splunk AO']);
    const cells = await row.locator('td.num').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['2', '2', '1']);
    expect(await page.locator('#nav-sessions').getAttribute('class')).toBe('current');

    await row.locator('a').click();
    await page.waitForURL('**/sessions/conv-viewer');
    expect(await page.locator('[data-testid="session-id"]').textContent()).toBe('conv-viewer');
    const rows = page.locator('[data-testid="session-traces"] tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const shown = await rows.evaluateAll((nodes) =>
      nodes.map((n) => ({
        traceId: n.getAttribute('data-trace-id'),
        service: n.querySelector('.svc')?.textContent,
        via: n.querySelector('.via')?.textContent,
        start: n.querySelector('td')?.textContent,
      })),
    );
    expect(shown).toEqual([
      { traceId: pythonTrace, service: 'python-agent', via: 'Splunk AO', start: '+0.00 ms' },
      { traceId: nodeTrace, service: 'node-agent', via: 'Galileo', start: '+1.00 s' },
    ]);
    await page.screenshot({ path: join(artifacts, 'viewer-session.png'), fullPage: true });

    await rows.nth(1).locator('a').click();
    await page.waitForURL(`**/traces/${nodeTrace}`);
    const link = page.locator('[data-testid="trace-sessions"] a');
    await expect.poll(() => link.textContent()).toBe('conv-viewer');
    expect(await page.locator('[data-testid="trace-via"] .via').allTextContents()).toEqual([
      'Galileo',
    ]);
    await link.click();
    await page.waitForURL('**/sessions/conv-viewer');
    await expect.poll(() => rows.count()).toBe(2);
    expect(errors).toEqual([]);
    expect(await page.evaluate('window.__csp')).toEqual([]);
    await page.close();
  });

  it('renders a hostile session id as text: no markup, no script, nothing blocked', async () => {
    const id =
      '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' +
      '"\'/><svg onload=window.__pwned=3>/../%2e?#\u202e';
    const traceId = await sessionTrace({
      service: 'hostile-svc',
      attributes: { 'galileo.session.id': id },
      offset: 0,
    });
    const inert = async (page: Awaited<ReturnType<typeof watched>>['page']) => {
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(
        await page.evaluate('document.querySelectorAll("#app img, #app svg, #app script").length'),
      ).toBe(0);
      expect(await page.evaluate('window.__csp')).toEqual([]);
    };

    const { page, errors } = await watched('/sessions');
    const link = page.getByText(id, { exact: true });
    await expect.poll(() => link.count()).toBe(1);
    expect(
      await page
        .locator('tr[data-session-id]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id'))),
    ).toContain(id);
    await inert(page);

    await link.click();
    await expect
      .poll(() => page.evaluate('location.pathname'))
      .toBe(`/sessions/${encodeURIComponent(id)}`);
    await expect.poll(() => page.locator('[data-testid="session-id"]').textContent()).toBe(id);
    expect(await page.title()).toBe(`Session ${id} · Local Galileo`);
    await inert(page);

    // Loaded directly, the same.
    const direct = await watched(`/sessions/${encodeURIComponent(id)}`);
    await expect
      .poll(() => direct.page.locator('[data-testid="session-id"]').textContent())
      .toBe(id);
    await inert(direct.page);
    const trace = await watched(`/traces/${traceId}`);
    await expect
      .poll(() => trace.page.locator('[data-testid="trace-sessions"] a').textContent())
      .toBe(id);
    await inert(trace.page);
    expect([...errors, ...direct.errors, ...trace.errors]).toEqual([]);
    await Promise.all([page.close(), direct.page.close(), trace.page.close()]);
  });
});

function postOtlp(body: Uint8Array): Promise<Response> {
  return fetch(server.otlpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'galileo-api-key': 'k' },
    body,
  });
}
