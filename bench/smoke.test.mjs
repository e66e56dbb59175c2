// `npm run bench -- --quick` in CI: every suite runs end to end and reports what it measured.
// Nothing here reads a timing; the assertions are on delivery and on the report's structure, so
// a broken harness (a suite that crashes, loses spans, or silently skips) fails the build.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

const here = new URL('.', import.meta.url).pathname;

describe('npm run bench -- --quick', () => {
  let run = { status: null, stdout: '', stderr: '' };
  let out = '';
  beforeAll(async () => {
    run = await new Promise((resolve) => {
      const child = spawn(process.execPath, ['run.mjs', '--quick', '--no-write'], {
        cwd: here,
        env: { ...process.env, NO_COLOR: '1' },
      });
      const result = { status: null, stdout: '', stderr: '' };
      child.stdout.on('data', (d) => {
        result.stdout += d;
      });
      child.stderr.on('data', (d) => {
        result.stderr += d;
      });
      child.on('close', (status) => resolve({ ...result, status }));
    });
    out = run.stdout;
  }, 300_000);
  const section = (n) => {
    const start = out.indexOf(`## ${n}.`);
    const end = out.indexOf(`## ${n + 1}.`, start);
    return start === -1 ? '' : out.slice(start, end === -1 ? undefined : end);
  };
  const row = (text, label) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`| ${label} |`))
      ?.split('|')
      .map((cell) => cell.trim());

  it('exits 0 and says it is a smoke run', () => {
    expect(run.stderr.slice(-2000)).not.toMatch(/Error|failed/);
    expect(run.status).toBe(0);
    expect(out).toContain('--quick (smoke run: numbers are not meaningful)');
  });

  it('measures CPU per span for the plain pipeline and Galileo, each delivering every span', () => {
    const cpu = section(1);
    for (const label of ['plain BatchSpanProcessor + OTLP protobuf', 'GalileoSpanProcessor']) {
      const cells = row(cpu, label);
      expect(cells, label).toBeDefined();
      expect(cells?.[4]).toBe('100.0 %');
    }
  });

  it('measures every stage of both pipelines and the garbage of each whole pipeline', () => {
    const stages = section(6);
    const header = row(stages, 'stage');
    expect(header?.slice(2, 7)).toEqual([
      'plain BatchSpanProcessor + OTLP protobuf',
      'GalileoSpanProcessor',
      'GalileoSpanProcessor + translate adapter',
      'plain BatchSpanProcessor + OTLP protobuf, gzip',
      'GalileoSpanProcessor, gzip',
    ]);
    // A measured cell: the median, min–max and the bytes allocated; '–' where a pipeline has no
    // such stage (the plain pipeline has no adapters and no prepare step).
    const measured = /^\*\*\d+\.\d\d\*\* \(\d+\.\d\d–\d+\.\d\d\) · [\d,]+ B( †)?$/;
    const expected = {
      'creation (SDK `startSpan` / `end`)': [1, 1, 1, 1, 1],
      'stamping (`onStart`)': [1, 1, 1, 1, 1],
      adapters: [0, 1, 1, 0, 1],
      'queue (`onEnd` until the batch is handed over)': [1, 1, 1, 1, 1],
      "redaction + routing (the exporter's prepare)": [0, 1, 1, 0, 1],
      'encoding (OTLP protobuf)': [1, 1, 1, 1, 1],
      'sending (HTTP POST, gzip when on)': [1, 1, 1, 1, 1],
    };
    for (const [label, present] of Object.entries(expected)) {
      const cells = row(stages, label);
      expect(cells, label).toBeDefined();
      present.forEach((has, i) => {
        if (has) expect(cells?.[i + 2], `${label} column ${i}`).toMatch(measured);
        else expect(cells?.[i + 2], `${label} column ${i}`).toBe('–');
      });
    }
    for (const label of ['**sum of the stages**', 'whole pipeline, this run', 'sum ÷ whole']) {
      expect(row(stages, label), label).toBeDefined();
    }
    for (const label of [
      'span creation only (no processor)',
      'plain BatchSpanProcessor + OTLP protobuf',
      'GalileoSpanProcessor',
      'GalileoSpanProcessor + translate adapter',
    ]) {
      // The GC table: heap bytes, minor and major GCs, pause, delivered.
      const cells = stages
        .split('\n')
        .filter((line) => line.startsWith(`| ${label} |`))
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .find((c) => c.length === 8);
      expect(cells, label).toBeDefined();
      expect(Number(cells?.[2].replaceAll(',', ''))).toBeGreaterThan(0);
      if (label !== 'span creation only (no processor)') expect(cells?.[6]).toBe('100.0 %');
    }
  });

  it('reports each peer as measured or with the reason it was not', () => {
    const peers = section(2);
    for (const peer of ['@arizeai/openinference-vercel', '@langfuse/otel']) {
      const line = peers.split('\n').find((l) => l.includes(peer));
      expect(line, peer).toBeDefined();
      expect(line).toMatch(/not installed here: run `node bench\/peers\/install.mjs`|loads|throws/);
    }
  });

  it('exports to the devtools receiver and the sink without loss, and bounds the stalled queue', () => {
    const throughput = section(3);
    const delivered = throughput
      .split('\n')
      .filter((l) => /^\| (devtools|sink) \| GalileoSpanProcessor/.test(l))
      .map((l) => l.split('|')[4]?.trim());
    expect(delivered).toEqual(['100.0 %', '100.0 %', '100.0 %', '100.0 %']);
    const stalled = throughput
      .split('\n')
      .filter((l) => /^\| GalileoSpanProcessor \| [\d,]+ \| \d+ KiB \|/.test(l));
    expect(stalled.length).toBe(3);
    for (const line of stalled) {
      // "queued at end (spans / MiB)": the span count before the slash.
      const queued = Number(line.split('|')[11]?.split('/')[0]?.trim().replaceAll(',', ''));
      expect(queued).toBeGreaterThan(0);
      expect(queued).toBeLessThanOrEqual(2048);
    }
  });

  it('runs the two-service end-to-end benchmark with tracing off, through plain OTel and on', () => {
    const e2e = section(4);
    expect(e2e).toMatch(/\| 0 ms \| off \|/);
    expect(e2e).toMatch(/\| 20 ms \| plain OTel \|.*\| \d[\d,]* \| 0 \|$/m);
    expect(e2e).toMatch(/galileo-otel over plain OTel: .* ms \(.* %\) at p50/);
    expect(e2e).toMatch(/\| 20 ms \| on \|.*\| \d[\d,]* \| 0 \|$/m);
    expect(e2e).toMatch(/The model served [\d,]+ requests, all on 127\.0\.0\.1\./);
  });

  it('runs the real demo services with GALILEO_OTEL off and on, exporting whole traces only when on', () => {
    const demo = section(5);
    expect(demo).toContain('`examples/openai-agents/server.mjs` (A');
    expect(demo).toContain('`examples/google-adk/server.mjs` (B');
    // Every request of every on session exported the demo's whole 10-span trace.
    expect(demo).toContain('(10.0 spans per request across both processes)');
    const rows = demo
      .split('\n')
      .filter((line) => /^\| \d+ ms \| (off|on) \|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((r) => `${r[1]} ${r[2]}`)).toEqual([
      '0 ms off',
      '0 ms on',
      '20 ms off',
      '20 ms on',
    ]);
    for (const r of rows) {
      expect(r[8], 'event-loop max per service').toMatch(/^A \d+\.\d · B \d+\.\d$/);
      const exported = Number(r[9]?.replaceAll(',', ''));
      if (r[2] === 'off') expect(exported).toBe(0);
      else expect(exported).toBeGreaterThan(0);
      expect(r[10], 'spans dropped').toBe('0');
    }
    expect(demo).toMatch(/The model served [\d,]+ requests, all on 127\.0\.0\.1\./);
  });
});
