// Diagnostic, not part of `npm run bench`: how long the devtools CLI and viewer take on the
// hostile trace shapes of issue #18 item 8 (a parent chain thousands deep, a parent cycle). The
// tests check that these render whole and bounded, and assert no time; this prints the times.
// Usage: node bench/hostile-shapes.mjs [depth=10000]   (after `npm run build`; needs Debian's
// chromium for the viewer rows)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { chromium } from 'playwright-core';
import { encodeTraceRequest } from '../packages/core/dist/internal/encode-trace-request.js';
import { startDevServer } from '../packages/devtools/dist/index.js';

const depth = Number(process.argv[2] ?? 10_000);
const bin = fileURLToPath(new URL('../packages/devtools/bin/galileo-otel.js', import.meta.url));

/**
 * `count` spans of one trace; span i gets the parent parentOf(i) (an index or undefined). The
 * tests' `recordShape` (packages/devtools/src/test-support/agent-trace.ts) does the same, but
 * test-support is TypeScript that no build emits, so this script cannot import it.
 */
function shape(count, parentOf) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('hostile');
  const base = Date.now() - 2 * count - 1000;
  const first = tracer.startSpan('span 0', { startTime: base });
  const ctx = trace.setSpan(context.active(), first);
  for (let i = 1; i < count; i++) {
    tracer.startSpan(`span ${i}`, { startTime: base + i }, ctx).end(base + 2 * count - i);
  }
  first.end(base + 2 * count);
  const spans = exporter.getFinishedSpans();
  const byIndex = new Map(spans.map((s) => [Number(s.name.slice(5)), s]));
  const ids = Array.from({ length: count }, (_, i) => byIndex.get(i).spanContext().spanId);
  const traceId = spans[0].spanContext().traceId;
  for (const [i, span] of byIndex) {
    const parent = parentOf(i);
    Object.defineProperty(span, 'parentSpanContext', {
      value:
        parent === undefined
          ? undefined
          : { traceId, spanId: ids[parent], traceFlags: 1, isRemote: false },
    });
  }
  return { traceId, body: encodeTraceRequest(spans) };
}

const dir = mkdtempSync(join(tmpdir(), 'hostile-shapes-'));
const db = join(dir, 'traces.db');
const server = await startDevServer({ port: 0, dbPath: db });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const cases = [
    [`chain ${depth} deep`, shape(depth, (i) => (i === 0 ? undefined : i - 1)), depth],
    ['cycle of 4 (no root)', shape(4, (i) => (i + 3) % 4), 4],
  ];
  for (const [label, { traceId, body }, rowsWanted] of cases) {
    const t0 = performance.now();
    const posted = await fetch(server.otlpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'galileo-api-key': 'k' },
      body,
    });
    const ingestMs = performance.now() - t0;
    const t1 = performance.now();
    const cli = spawnSync(process.execPath, [bin, 'trace', traceId, '--db', db], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const cliMs = performance.now() - t1;
    const lines = cli.stdout.split('\n').filter((l) => l.includes('span ')).length;
    const page = await browser.newPage();
    const t2 = performance.now();
    await page.goto(`${server.url}/traces/${traceId}`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="waterfall"] .span-row').length === n,
      rowsWanted,
      { timeout: 600_000, polling: 100 },
    );
    const viewerMs = performance.now() - t2;
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const flagged = await page.locator('.badge', { hasText: /cycle/i }).count();
    await page.close();
    console.log(
      `${label}: ingest ${posted.status} in ${ingestMs.toFixed(0)} ms; ` +
        `CLI trace exit ${cli.status}, ${lines} span lines, longest line ` +
        `${Math.max(...cli.stdout.split('\n').map((l) => l.length))} chars, ${cliMs.toFixed(0)} ms; ` +
        `viewer ${rowsWanted} rows in ${viewerMs.toFixed(0)} ms, ${nodes} DOM nodes` +
        (flagged ? `, ${flagged} cycle badges` : ''),
    );
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
