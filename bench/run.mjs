#!/usr/bin/env node
// The benchmark suite: `npm run bench` (full, writes BENCHMARKS.md) or
// `npm run bench -- --quick` (a smoke run of every benchmark; asserts nothing about timing and
// writes nothing unless --write is given). `--only=cpu,stages,peers,throughput,stall,e2e,e2e-demo`
// picks suites (`e2e` includes `e2e-demo`); `--reuse=cpu,peers` takes those suites' results
// from the last full run (bench/.results) instead of running them; `--note "text"` adds a line
// about the run conditions to BENCHMARKS.md.
// Each suite runs in its own child process (with --expose-gc); receivers, sinks and services
// run in further child processes so their CPU never counts against the pipeline measured.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './lib/child.mjs';
import { describeShape } from './lib/spans.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const write = (argv.includes('--write') || !quick) && !argv.includes('--no-write');
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const noteIndex = argv.indexOf('--note');
const note = noteIndex !== -1 ? argv[noteIndex + 1] : undefined;
// `--only=e2e` also picks `e2e-demo`: a name picks the suites it prefixes up to a dash.
const want = (suite) => !only || only.some((o) => suite === o || suite.startsWith(`${o}-`));
const STALL_SECONDS = quick ? 2 : 30;
const root = fileURLToPath(new URL('..', import.meta.url));
const childOptions = { execArgv: ['--expose-gc'] };

function versionOf(name) {
  try {
    // Walk up from the resolved entry point: not every package exports ./package.json.
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        if (pkg.name === name) return pkg.version;
      } catch {}
      const up = dirname(dir);
      if (up === dir) return 'unknown';
      dir = up;
    }
  } catch {
    return 'not installed';
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
}

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.availableParallelism?.() ?? os.cpus().length,
  memoryGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
  platform: `${os.platform()} ${os.release()}`,
  node: process.version,
  loadStart: os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' '),
  commit: gitCommit(),
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  versions: {
    '@opentelemetry/sdk-trace': versionOf('@opentelemetry/sdk-trace'),
    '@opentelemetry/exporter-trace-otlp-proto': versionOf(
      '@opentelemetry/exporter-trace-otlp-proto',
    ),
    '@galileo-otel/core': versionOf('@galileo-otel/core'),
  },
};

const results = {};
const failures = [];
const reuse =
  argv
    .find((a) => a.startsWith('--reuse='))
    ?.slice(8)
    .split(',') ?? [];
const resultsDir = fileURLToPath(new URL('./.results/', import.meta.url));
async function suite(name, fn) {
  if (!want(name)) return;
  if (reuse.includes(name)) {
    // Reuse a suite's saved result (bench/.results/<suite>.json) from an earlier full run.
    results[name] = JSON.parse(readFileSync(`${resultsDir}${name}.json`, 'utf8'));
    console.log(`• ${name} … reused bench/.results/${name}.json`);
    return;
  }
  const t0 = performance.now();
  process.stdout.write(`• ${name} … `);
  try {
    results[name] = await fn();
    if (!quick) {
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(`${resultsDir}${name}.json`, JSON.stringify(results[name]));
    }
    process.stdout.write(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failures.push(`${name}: ${error?.stack ?? error}`);
    process.stdout.write(`FAILED\n${error?.stack ?? error}\n`);
  }
}

const quickArg = quick ? ['--quick'] : [];
await suite('cpu', () => runChild('suites/cpu.mjs', quickArg, childOptions));
await suite('stages', () => runChild('suites/stages.mjs', quickArg, childOptions));
await suite('peers', () => runChild('suites/peers.mjs', quickArg, childOptions));
await suite('throughput', () => runChild('suites/throughput.mjs', quickArg, childOptions));
await suite('stall', async () => {
  const configs = [
    ['none', 20_000, 1024, 'span creation only (control)'],
    ['none', 1_000, 65_536, 'span creation only (control)'],
    ['galileo', 5_000, 1024, 'GalileoSpanProcessor'],
    ['galileo', 20_000, 1024, 'GalileoSpanProcessor'],
    ['plain', 20_000, 1024, 'plain BatchSpanProcessor'],
    ['galileo', 1_000, 65_536, 'GalileoSpanProcessor'],
    ['plain', 1_000, 65_536, 'plain BatchSpanProcessor'],
  ];
  const rows = [];
  for (const [kind, rate, bytes, label] of configs) {
    const value = await runChild(
      'suites/stall.mjs',
      [kind, String(rate), String(bytes), String(STALL_SECONDS)],
      childOptions,
    );
    rows.push({ ...value, label });
  }
  return { seconds: STALL_SECONDS, rows };
});
await suite('e2e', () => runChild('suites/e2e.mjs', quickArg, childOptions));
await suite('e2e-demo', () => runChild('suites/e2e-demo.mjs', quickArg, childOptions));
machine.loadEnd = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

// ---------------------------------------------------------------------------------------------
// Formatting

const f1 = (x) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
const f2 = (x) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
const f0 = (x) =>
  x === undefined || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US');
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const range = (s, fmt = f1) => `${fmt(s.min)} / **${fmt(s.median)}** / ${fmt(s.max)}`;

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

const shape = describeShape();
const md = [];
md.push(
  `Run: ${machine.date}, commit \`${machine.commit}\`${quick ? ', **--quick (smoke run: numbers are not meaningful)**' : ''}.`,
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}; Node ${machine.node}. ` +
    `Load average (1/5/15 min) at start ${machine.loadStart}, at end ${machine.loadEnd}.`,
  `Versions: ${Object.entries(machine.versions)
    .map(([k, v]) => `\`${k}\` ${v}`)
    .join(', ')}.`,
  `Span shape: trees of ${shape.spansPerTree} spans (agent → llm; tool → HTTP client → agent → llm, tool; final llm), ` +
    `about ${shape.attributesPerSpan} attributes per span, one ~${shape.messageBytes} B message-JSON attribute per span.`,
);
if (note) md.push(`Conditions: ${note}`);
md.push('');

if (results.cpu) {
  const c = results.cpu;
  const rows = c.rows.map((r) => [
    r.label,
    range(r.cpuUsPerSpan),
    r.kind === 'plain'
      ? '1.00'
      : `**${f2(r.ratio.median)}** (${f2(r.ratio.min)}–${f2(r.ratio.max)})`,
    r.deliveredPct === undefined ? '–' : `${f1(r.deliveredPct)} %`,
    f0(r.bytesPerSpan),
    r.flushEarly ? `${r.flushEarly}/${c.repeats} (late by ≤ ${f1(r.lateMs.max)} ms)` : '0',
    r.loopMaxMs ? `${f1(r.loopP99Ms.median)} / ${f1(r.loopMaxMs.median)}` : '–',
  ]);
  // Issue #20's goals, each against plain without gzip in the same repeat.
  const goals = [
    ['galileo', 'GalileoSpanProcessor, no gzip', 1.0],
    ['galileo-adapter', 'with the translate adapter', 1.1],
    ['galileo-gzip', 'with gzip', 1.4],
  ].map(([kind, label, limit]) => {
    const r = c.rows.find((x) => x.kind === kind);
    if (!r) return `${label} ≤ ${f2(limit)}×: –`;
    const met = r.ratio.median <= limit && r.deliveredPct === 100;
    return `${label} ≤ ${f2(limit)}×: ${met ? 'met' : '**not met**'} (${f2(r.ratio.median)}×${r.deliveredPct < 100 ? `, delivered ${f1(r.deliveredPct)} %` : ''})`;
  });
  md.push(
    '## 1. CPU per span vs the plain OpenTelemetry pipeline',
    '',
    `${f0(c.spansPerRun)} spans per run at ${f0(c.rate)} spans/s, ${c.repeats} repeats (order rotated each repeat), after one warm-up run of each. ` +
      'CPU = `process.cpuUsage()` user + system of the benchmark process (main thread, GC threads and the libuv pool where gzip runs) from the first span created ' +
      'until every export has finished; the OTLP sink runs in a child process and is not counted. Ratio = this row ÷ plain in the same repeat; ' +
      'the column shows the median ratio (min–max over repeats). A row that delivered less than 100 % did less work and looks cheaper than it is.',
    '',
    table(
      [
        'pipeline',
        'µs CPU per span (min / median / max)',
        '× plain',
        'delivered',
        'bytes per span on the wire',
        'forceFlush resolved before the export finished',
        'event-loop delay p99 / max ms (median run)',
      ],
      rows,
    ),
    '',
    `Goals (median ratio to plain, every span delivered): ${goals.join('; ')}.`,
    '',
  );
}

if (results.peers) {
  const p = results.peers;
  md.push(
    '## 2. Peers',
    '',
    "Next to this project's OTel line (`@opentelemetry/api` 1.10, SDK 3 `@opentelemetry/sdk-trace` 3.1.1, `exporter-trace-otlp-proto` 0.301.1), each peer installed on its own " +
      'by `node bench/peers/install.mjs` (outside the workspaces) and loaded with `import()`:',
    '',
    table(
      ['peer', 'result'],
      p.rows.map((r) => [r.label, r.result]),
    ),
    '',
  );
  if (p.sdk2) {
    const s2 = p.sdk2;
    md.push(
      "So neither can be measured in this project's stack. To still compare, the same trees go through them on the line they support " +
        '(API 1.9.1, `sdk-trace-base` 2.8.0, OTLP exporters 0.219.0; `bench/peers/sdk2`), against the plain SDK 2 pipeline in the same process, ' +
        `same method as table 1 (${f0(s2.spansPerRun)} spans per run at ${f0(s2.rate)} spans/s, ${s2.repeats} repeats). ` +
        "GalileoSpanProcessor runs on that SDK 2 provider too, with its own (the project's) OTel copies.",
      '',
      table(
        [
          'pipeline (SDK 2 line)',
          'µs CPU per span (min / median / max)',
          '× plain SDK 2',
          'delivered',
          'bytes per span on the wire',
        ],
        s2.rows.map((r) => [
          r.label,
          range(r.cpuUsPerSpan),
          r.kind === 'plain'
            ? '1.00'
            : `**${f2(r.ratio.median)}** (${f2(r.ratio.min)}–${f2(r.ratio.max)})`,
          `${f1(r.deliveredPct)} %`,
          f0(r.bytesPerSpan),
        ]),
      ),
      '',
    );
    const g = s2.rows.find((r) => r.kind === 'galileo');
    for (const peer of s2.rows.filter((r) => r.kind !== 'plain' && r.kind !== 'galileo')) {
      md.push(
        `- Galileo vs ${peer.label}: ${f2(g.cpuUsPerSpan.median / peer.cpuUsPerSpan.median)}× its CPU per span (goal: < 1, faster)` +
          `${peer.deliveredPct < 100 ? `; note it exported only ${f1(peer.deliveredPct)} % of the spans (its default filter), so it did less work` : ''}.`,
      );
    }
    md.push('');
  } else if (p.sdk2Error) {
    md.push(`The SDK 2 comparison failed: \`${p.sdk2Error}\``, '');
  } else {
    md.push(
      'The SDK 2 comparison did not run: `node bench/peers/install.mjs` has not installed `bench/peers/sdk2`.',
      '',
    );
  }
}

if (results.throughput) {
  const t = results.throughput;
  md.push(
    '## 3. Export throughput, bytes per span, and memory with the receiver stalled',
    '',
    `${f0(t.spansPerRun)} spans created as fast as the process can, queues sized to hold the whole run; ${t.repeats} repeats. ` +
      'spans/s = spans delivered ÷ wall time from the first span created to the last export finished (span creation included: it shares the thread). ' +
      '`devtools` is `@galileo-otel/devtools` `startDevServer` (decodes and stores in SQLite, in its own process); `sink` only drains bodies. ' +
      'Bytes per span: request body bytes received by the sink ÷ spans; for Galileo also `processor.stats().bytesSent` ÷ `spansExported`.',
    '',
    table(
      [
        'receiver',
        'pipeline',
        'spans/s (min / median / max)',
        'delivered',
        'bytes/span (sink)',
        'bytes/span (stats)',
      ],
      t.rows.map((r) =>
        r.error
          ? [r.receiver, '–', `could not start: ${r.error}`, '–', '–', '–']
          : [
              r.receiver,
              r.label,
              range(r.spansPerSecond, f0),
              `${f1(r.deliveredPct)} %`,
              f0(r.wireBytesPerSpan),
              f0(r.statsBytesPerSpan),
            ],
      ),
    ),
    '',
    'Full speed with the **default** queue (2048 spans) against the sink, one run each: what the stock processor drops, and whether `forceFlush()` resolved while an export was still in flight.',
    '',
    table(
      [
        'pipeline',
        'spans',
        'delivered',
        'exports in flight when forceFlush resolved',
        'last export landed after forceFlush',
      ],
      t.fullSpeed.map((r) => [
        r.label,
        f0(r.spans),
        `${f1(r.deliveredPct)} %`,
        String(r.inFlightAtFlush ?? 0),
        r.inFlightAtFlush ? `${f1(r.lateMs)} ms` : '–',
      ]),
    ),
    '',
  );
}

if (results.stall) {
  const s = results.stall;
  md.push(
    `Receiver stalled (answers nothing) for ${s.seconds} s while spans are created at a fixed rate; each row in a fresh process, every span with its own copy of the message text; RSS sampled every 20 ms. ` +
      'Default limits: GalileoSpanProcessor `maxQueueSize` 2048 and `maxQueueBytes` 32 MiB, 2 exports in flight of ≤ 512 spans / 4 MiB; plain BatchSpanProcessor `maxQueueSize` 2048, no byte bound, 1 export in flight of 512. ' +
      'The control row shows how much RSS the span garbage alone adds at that rate. ' +
      '"Heap held after full GC" is the heap still in use after two forced full collections at the end of the stall, with exports still hung; against the control row at the same rate, it is what the pipeline really holds, as opposed to garbage V8 has not collected yet (peak heap and RSS include that garbage, and V8 does not hand freed pages back to the OS promptly).',
    '',
    table(
      [
        'pipeline',
        'rate (spans/s)',
        'message',
        'spans created',
        'baseline RSS (MiB)',
        'peak RSS (MiB)',
        'peak − baseline',
        'peak RSS per third of the run',
        'peak heap used (MiB)',
        'heap held after full GC (MiB)',
        'queued at end (spans / MiB)',
        'dropped',
      ],
      s.rows.map((r) => [
        r.label,
        f0(r.rate),
        `${r.messageBytes / 1024} KiB`,
        f0(r.spans),
        mib(r.baselineRss),
        mib(r.peakRss),
        mib(r.peakRss - r.baselineRss),
        r.peakRssByThird ? r.peakRssByThird.map(mib).join(' → ') : '–',
        mib(r.peakHeap),
        r.retainedHeap === undefined ? '–' : mib(r.retainedHeap),
        r.queued === undefined
          ? '–'
          : `${f0(r.queued)}${r.queueBytes === undefined ? '' : ` / ${mib(r.queueBytes)}`}`,
        r.dropped === undefined ? '–' : f0(r.dropped),
      ]),
    ),
    '',
  );
}

// The table, goal lines and model line of tables 4 and 5. With `byService`, one more column
// gives each service's event-loop max (the other columns show the worse of the two).
function e2eResults(e, { byService = false } = {}) {
  const names = byService ? Object.keys(e.configs[0].off.eventLoopMaxByService) : [];
  const rows = [];
  const label = { off: 'off', on: 'on', plain: 'plain OTel' };
  for (const c of e.configs) {
    for (const mode of c.modes ?? ['off', 'on']) {
      const r = c[mode];
      rows.push([
        `${c.latencyMs} ms`,
        label[mode],
        range(r.p50),
        range(r.p99),
        range(r.eventLoopP50),
        range(r.eventLoopP99),
        range(r.eventLoopMax),
        ...(byService
          ? [names.map((n) => `${n} ${f1(r.eventLoopMaxByService[n].median)}`).join(' · ')]
          : []),
        f0(r.spansExported),
        f0(r.spansDropped),
      ]);
    }
  }
  const lines = [
    table(
      [
        'model latency per call',
        'tracing',
        'request p50 ms (min / median / max)',
        'request p99 ms',
        'event-loop p50 ms',
        'event-loop p99 ms',
        'event-loop max ms',
        ...(byService ? ['event-loop max ms per service (median)'] : []),
        'spans exported',
        'spans dropped',
      ],
      rows,
    ),
    '',
  ];
  for (const c of e.configs) {
    lines.push(
      `- Model latency ${c.latencyMs} ms: tracing adds ${range(c.addedP50Pct)} % at p50 (${f2(c.addedP50Ms.median)} ms), ${range(c.addedP99Pct)} % at p99. ` +
        `Goal < 3 % at p50: ${c.addedP50Pct.median < 3 ? 'met' : '**not met**'}; no event-loop stall over 20 ms: ${c.on.eventLoopMax.max <= 20 ? 'met' : `**not met** (max ${f1(c.on.eventLoopMax.max)} ms)`}.`,
    );
    if (c.plainAddedP50Pct) {
      lines.push(
        `  - The plain OTel pipeline with the same instrumentation adds ${range(c.plainAddedP50Pct)} % at p50 (${f2(c.plainAddedP50Ms.median)} ms); ` +
          `galileo-otel over plain OTel: ${range(c.overPlainP50Ms, f2)} ms (${range(c.overPlainP50Pct)} %) at p50, neighbouring sessions compared.`,
      );
    }
  }
  lines.push('', `The model served ${f0(e.modelRequests)} requests, all on 127.0.0.1.`, '');
  return lines;
}

if (results.e2e) {
  const e = results.e2e;
  md.push(
    '## 4. End to end: the two-service demo with tracing off, through plain OTel, and through galileo-otel',
    '',
    `${e.requests} sequential \`POST /ask\` requests per session after a warm-up, ${e.repeats} repeats per model speed (the order of the three modes rotating, fresh service processes each time). ` +
      'Covers: `bench/e2e/service.mjs` as two processes, `ask` (orchestrator: model call offering `delegate_research`, the tool POSTs to `research`, model call with the result) and ' +
      '`research` (one model call), over the real `@galileo-otel/local-model` server (OpenAI Chat Completions), ' +
      'traced with core only (`registerGalileo`, `traceHttpHandler`, `tracedFetch`, agent/llm/tool shape helpers; 12 spans per request across both processes), exporting to the OTLP sink in another process. ' +
      "`on` is galileo-otel; `plain OTel` runs the same instrumentation (same helpers, context manager and propagators) through the stock SDK 3 `BatchSpanProcessor` + `OTLPTraceExporter` (protobuf) instead of galileo-otel's processor: the baseline the processor itself is judged against. " +
      "No framework runs in the path: this isolates what tracing adds to a request of the demo's shape (a framework's own overhead would only shrink the percentage). Event-loop delay: `monitorEventLoopDelay` (1 ms resolution) in both services, the worse of the two.",
    '',
    ...e2eResults(e),
  );
}

if (results['e2e-demo']) {
  const e = results['e2e-demo'];
  md.push(
    '## 5. End to end: the real demo services with tracing off vs on',
    '',
    `The same method as table 4 (${e.requests} sequential \`POST /ask\` requests per session after a warm-up, ${e.repeats} repeats per model speed, off/on order alternating, fresh service processes each time), ` +
      `over \`npm run demo\`'s default pair: \`examples/${e.services.A}/server.mjs\` (A, the OpenAI Agents orchestrator, whose tool POSTs to B) and \`examples/${e.services.B}/server.mjs\` (B, the Google ADK researcher), ` +
      "started by the demo's `startService` as real OS processes with the loopback guard preloaded, over `@galileo-otel/local-model` (OpenAI Responses for A, Gemini for B; the per-call latency is set by model name, as neither SDK sends the scenario header). " +
      'Tracing on: `registerGalileo` with the OpenAI Agents and Google ADK adapters, ' +
      `exporting to the OTLP sink in another process (${f1(e.spansPerRequest)} spans per request across both processes). ` +
      "Tracing off: the same servers with `GALILEO_OTEL=off`, i.e. without galileo-otel: no provider, no adapter, and OpenAI Agents' own trace export turned off; `traceHttpHandler` and `tracedFetch` stay in the code as no-ops. " +
      "Unlike table 4, the frameworks' own work is in every request, so this is the overhead a user of the demo would see. " +
      "Event-loop delay: `monitorEventLoopDelay` (1 ms resolution), preloaded into both services (`bench/e2e/loop-monitor.mjs`); the worse of the two, and each one's max.",
    '',
    ...e2eResults(e, { byService: true }),
  );
}

if (results.stages) {
  const st = results.stages;
  const STAGES = [
    ['creation', 'creation (SDK `startSpan` / `end`)'],
    ['stamping', 'stamping (`onStart`)'],
    ['adapters', 'adapters'],
    ['queue', 'queue (`onEnd` until the batch is handed over)'],
    ['prepare', "redaction + routing (the exporter's prepare)"],
    ['encoding', 'encoding (OTLP protobuf)'],
    ['sending', 'sending (HTTP POST, gzip when on)'],
  ];
  // A gzip column runs the same code as its no-gzip column but for sending, and the adapter
  // column the same as Galileo's for stamping and the queue: those cells are shown from there
  // (marked †).
  const cellOf = (stage, kind) => {
    const own = st.rows.find((r) => r.stage === stage && (r.kind === kind || r.kind === 'all'));
    if (own) return { row: own, shared: false };
    const base = st.sameAs[kind];
    const borrowed = base && st.rows.find((r) => r.stage === stage && r.kind === base);
    return borrowed ? { row: borrowed, shared: true } : undefined;
  };
  const wholeOf = (kind) => st.whole.find((w) => w.kind === kind);
  // What making spans costs in a running app beyond the SDK calls themselves (the driver's
  // timers, turns of the event loop, the GC of the span garbage): the whole run with no
  // processor minus the creation row. The same for every pipeline.
  const creation = st.rows.find((r) => r.stage === 'creation')?.cpuUsPerSpan.median ?? 0;
  const around = wholeOf('none').cpuUsPerSpan.median - creation;
  const sums = Object.fromEntries(
    st.columns.map((kind) => [
      kind,
      around +
        STAGES.reduce((n, [stage]) => n + (cellOf(stage, kind)?.row.cpuUsPerSpan.median ?? 0), 0),
    ]),
  );
  const stageRows = STAGES.map(([stage, label]) => [
    label,
    ...st.columns.map((kind) => {
      const cell = cellOf(stage, kind);
      if (!cell) return '–';
      const { row, shared } = cell;
      return `**${f2(row.cpuUsPerSpan.median)}** (${f2(row.cpuUsPerSpan.min)}–${f2(row.cpuUsPerSpan.max)}) · ${f0(row.heapBytesPerSpan)} B${shared ? ' †' : ''}`;
    }),
    st.rows.find((r) => r.stage === stage)?.how ?? '',
  ]);
  const cpuTable = results.cpu?.rows;
  md.push(
    '## 6. Where the per-span microseconds go, stage by stage',
    '',
    `Each stage measured by calling its own code (OTel's for the plain pipeline; for Galileo, \`@galileo-otel/core\`'s built \`dist/\` modules: \`processor/span-stamper.js\`, \`processor/adapter-runner.js\`, \`processor/export-queue.js\`, \`exporter/galileo-otlp-exporter.js\` with \`span-redactor.js\` and \`span-routes.js\`, \`internal/paced-encoder.js\` + \`encode-trace-request.js\`, \`exporter/otlp-http-transport.js\`) ` +
      `on the spans of the other tables (\`bench/lib/spans.mjs\`; for Galileo stamped as the processor stamps them): ${f0(st.spansPerRound)} spans per round, ` +
      `${st.warmRounds} warm-up rounds not counted, then ${st.rounds} rounds with every stage's rounds interleaved. CPU = \`process.cpuUsage()\` user + system of the process over the stage's code only ` +
      '(the spans it works on are made before), ÷ spans. Cells: **median** µs per span (min–max over rounds) · bytes allocated per span on the V8 heap in that stage ' +
      `(sampling heap profiler, every ${st.heapSamplingBytes} B, collected objects counted). † the same code as in the column without gzip (or, for the adapter, without it), shown from there. ` +
      'The whole-pipeline rows run each pipeline end to end as table 1 does (the same rate and sink), ' +
      `${f0(st.pipelineSpans)} spans × ${st.pipelineRepeats} repeats in this process. What the sum leaves out is each stage at work inside the running app: ` +
      'on spans that have left the cache by the time their batch is exported, and the GC of spans held until their batch is sent (more major GCs in the table below where exports take longer).',
    '',
    table(
      [
        'stage',
        ...st.columns.map((kind) => st.labels[kind]),
        'how it was measured (plain / Galileo)',
      ],
      [
        ...stageRows.slice(0, 1),
        [
          'around creation: timers, event loop, GC',
          ...st.columns.map(() => f2(around)),
          "the whole run with no processor minus the creation row; every pipeline's",
        ],
        ...stageRows.slice(1),
        ['**sum of the stages**', ...st.columns.map((kind) => `**${f2(sums[kind])}**`), ''],
        [
          'sum × plain',
          ...st.columns.map((kind) => f2(sums[kind] / sums.plain)),
          'ratio of the sums above',
        ],
        [
          'whole pipeline, this run',
          ...st.columns.map((kind) => range(wholeOf(kind).cpuUsPerSpan, f2)),
          `min / **median** / max over ${st.pipelineRepeats} runs, span creation (${f2(wholeOf('none').cpuUsPerSpan.median)} µs alone) included`,
        ],
        [
          'whole × plain',
          ...st.columns.map((kind) =>
            f2(wholeOf(kind).cpuUsPerSpan.median / wholeOf('plain').cpuUsPerSpan.median),
          ),
          'medians',
        ],
        [
          'sum ÷ whole',
          ...st.columns.map(
            (kind) => `${f0((100 * sums[kind]) / wholeOf(kind).cpuUsPerSpan.median)} %`,
          ),
          'how much of the whole the stages account for',
        ],
        ...(cpuTable
          ? [
              [
                'table 1 median',
                ...st.columns.map((kind) =>
                  f2(cpuTable.find((r) => r.kind === kind)?.cpuUsPerSpan.median),
                ),
                'the CPU suite of this run',
              ],
            ]
          : []),
      ],
    ),
    '',
    `Garbage per span, whole pipelines (the runs above; heap bytes from one more run of ${f0(st.pipelineSpans / 2)} spans under the sampling heap profiler). ` +
      "GCs and pause time are V8's own `gc` performance entries, the figures `--trace-gc` prints.",
    '',
    table(
      [
        'pipeline',
        'heap allocated per span (B)',
        'minor GCs per 10k spans',
        'major GCs per 10k spans',
        'GC pause ms per 10k spans',
        'delivered',
      ],
      st.whole.map((w) => [
        w.label,
        f0(w.heapBytesPerSpan),
        f1(w.minorGcPer10k),
        f1(w.majorGcPer10k),
        f1(w.gcPauseMsPer10k),
        w.deliveredPct === undefined ? '–' : `${f1(w.deliveredPct)} %`,
      ]),
    ),
    '',
  );
}

if (failures.length) {
  md.push('## Suites that failed', '', ...failures.map((x) => `- \`${x.split('\n')[0]}\``), '');
}

const generated = md.join('\n');
console.log(`\n${generated}`);

if (write) {
  const path = `${root}BENCHMARKS.md`;
  const START = '<!-- bench:start (generated by `npm run bench`; edit outside these markers) -->';
  const END = '<!-- bench:end -->';
  let doc;
  try {
    doc = readFileSync(path, 'utf8');
  } catch {
    doc = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  doc =
    a === -1 || b === -1
      ? `${doc.trimEnd()}\n\n${START}\n${generated}\n${END}\n`
      : `${doc.slice(0, a + START.length)}\n${generated}\n${doc.slice(b)}`;
  writeFileSync(path, doc);
  console.log(`wrote ${path}`);
}
if (failures.length) {
  console.error(`\n${failures.length} suite(s) failed`);
  process.exit(1);
}
