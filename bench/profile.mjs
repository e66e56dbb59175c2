// Profiles one pipeline: `node --cpu-prof --cpu-prof-interval 100 --cpu-prof-dir=bench/.profiles
// bench/profile.mjs galileo`
// (any kind of bench/lib/pipelines.mjs: plain, galileo, galileo-adapter, ...), then
// `node bench/profile.mjs --report bench/.profiles/<file>.cpuprofile [top]` prints
// - the time per stage of the pipeline: each sample goes to the innermost stage file on its
//   stack (so Node's own code, e.g. the UTF-8 writer or http, counts for the stage that called
//   it). The stages and their files are in STAGES below, core's as in docs/architecture.md;
// - the functions with the most self time (file:line), each with its stage.
// Instruction counts, steady whatever else the machine runs: `valgrind --tool=callgrind
// --smc-check=all-non-file node bench/profile.mjs galileo 2000` and again with 6000 spans; the
// difference ÷ 4000 is the instructions per span without start-up.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startChild } from './lib/child.mjs';
import { drive } from './lib/drive.mjs';
import { makePipeline } from './lib/pipelines.mjs';
import { treeFactory } from './lib/spans.mjs';

/** Stage of a frame, by its file: the first pattern that matches. */
const STAGES = [
  // GalileoSpanProcessor (packages/core/src/ as dist/)
  ['stamping', /core\/dist\/processor\/span-stamper\.js|core\/dist\/adapter\/session\.js/],
  ['adapters', /core\/dist\/processor\/adapter-runner\.js|bench\/lib\/bench-adapter\.mjs/],
  ['queue', /core\/dist\/processor\/export-queue\.js|core\/dist\/internal\/estimate-bytes\.js/],
  [
    'prepare (redaction + routing)',
    /core\/dist\/exporter\/(galileo-otlp-exporter|span-redactor|span-routes)\.js|core\/dist\/redaction\/redact\.js/,
  ],
  [
    'encoding',
    /core\/dist\/internal\/(encode-trace-request|wire-writer|paced-encoder)\.js|otlp-transformer\//,
  ],
  ['sending', /core\/dist\/exporter\/otlp-http-transport\.js|otlp-exporter-base\//],
  ['processor (wiring)', /core\/dist\/processor\/galileo-span-processor\.js/],
  // The plain pipeline's stages in OTel's own packages
  ['queue', /sdk-trace\/dist\/export\/BatchSpanProcessorBase\.mjs/],
  ['creation', /sdk-trace\/|@opentelemetry\/(api|core|resources)\/|bench\/lib\/spans\.mjs/],
  ['bench driver', /bench\/(lib\/(drive|pipelines|stats)\.mjs|profile\.mjs)/],
  // Node's own http, sockets and zlib, where no stage file above called them (socket callbacks)
  ['sending', /^node:(_http_|net$|internal\/streams|zlib$|internal\/http)/],
];

function stageOf(url) {
  for (const [stage, pattern] of STAGES) if (pattern.test(url)) return stage;
  return undefined;
}

const args = process.argv.slice(2);
if (args[0] === '--report') {
  const profile = JSON.parse(readFileSync(args[1], 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The stage of a node: its own file's, else its caller's (innermost stage frame wins).
  const stageCache = new Map();
  const stageOfNode = (id) => {
    if (stageCache.has(id)) return stageCache.get(id);
    const node = byId.get(id);
    const name = node.callFrame.functionName;
    let stage = stageOf(node.callFrame.url);
    if (!stage && name === '(garbage collector)') stage = 'GC';
    if (!stage && (name === '(idle)' || name === '(program)')) stage = name;
    if (!stage) stage = parent.has(id) ? stageOfNode(parent.get(id)) : 'other';
    stageCache.set(id, stage);
    return stage;
  };
  const self = new Map();
  const perStage = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const ms = (dt[i] ?? 0) / 1000;
    total += ms;
    const stage = stageOfNode(node.id);
    perStage.set(stage, (perStage.get(stage) ?? 0) + ms);
    const f = node.callFrame;
    const file = f.url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\//, '')
      .replace(/.*\/packages\//, 'packages/');
    const key = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}  [${stage}]`;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  const pct = (ms) =>
    `${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms`;
  console.log(
    `total sampled ${total.toFixed(0)} ms\n\nby stage (innermost stage file on the stack):`,
  );
  for (const [stage, ms] of [...perStage.entries()].sort((a, b) => b[1] - a[1])) {
    console.log(`${pct(ms)}  ${stage}`);
  }
  console.log('\nby function (self time):');
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(args[2] ?? 30));
  for (const [key, ms] of top) console.log(`${pct(ms)}  ${key}`);
  process.exit(0);
}

const kind = args[0] ?? 'galileo';
const spans = Number(args[1] ?? 200_000);
// CORE_DIR=<dir holding another core dist/>: profile that build of the processor instead.
const Processor = process.env.CORE_DIR
  ? (await import(pathToFileURL(resolve(process.env.CORE_DIR, 'dist/index.js')).href))
      .GalileoSpanProcessor
  : undefined;
const sink = await startChild('lib/sink-child.mjs', ['ok']);
const pipeline = makePipeline(kind, sink.url, { Processor });
const emit = treeFactory(pipeline.tracer);
const cpu0 = process.cpuUsage();
const driven = await drive(emit, { spans, rate: 10_000 });
const settled = await pipeline.settle(driven.spans);
const cpu = process.cpuUsage(cpu0);
console.log(kind, `${((cpu.user + cpu.system) / driven.spans).toFixed(2)} µs/span`, settled);
await pipeline.shutdown();
await sink.close();
