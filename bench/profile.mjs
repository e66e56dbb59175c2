// Profiles one pipeline: `node --cpu-prof --cpu-prof-dir=bench/.profiles bench/profile.mjs galileo`
// then `node bench/profile.mjs --report bench/.profiles/<file>.cpuprofile` prints the functions
// with the most self time (file:line), grouped, so hot spots can be named precisely.
import { readFileSync } from 'node:fs';
import { startChild } from './lib/child.mjs';
import { drive } from './lib/drive.mjs';
import { makePipeline } from './lib/pipelines.mjs';
import { treeFactory } from './lib/spans.mjs';

const args = process.argv.slice(2);
if (args[0] === '--report') {
  const profile = JSON.parse(readFileSync(args[1], 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const ms = (dt[i] ?? 0) / 1000;
    total += ms;
    const f = node.callFrame;
    const file = f.url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\//, '')
      .replace('/work/main/', '');
    const key = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(args[2] ?? 30));
  console.log(`total sampled ${total.toFixed(0)} ms`);
  for (const [key, ms] of top)
    console.log(
      `${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${key}`,
    );
  process.exit(0);
}

const kind = args[0] ?? 'galileo';
const spans = Number(args[1] ?? 200_000);
const sink = await startChild('lib/sink-child.mjs', ['ok']);
const pipeline = makePipeline(kind, sink.url);
const emit = treeFactory(pipeline.tracer);
const cpu0 = process.cpuUsage();
const driven = await drive(emit, { spans, rate: 10_000 });
const settled = await pipeline.settle(driven.spans);
const cpu = process.cpuUsage(cpu0);
console.log(kind, `${((cpu.user + cpu.system) / driven.spans).toFixed(2)} µs/span`, settled);
await pipeline.shutdown();
await sink.close();
