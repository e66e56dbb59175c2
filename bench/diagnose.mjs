// Diagnostic, not part of `npm run bench`: where does GalileoSpanProcessor's extra CPU go?
// Interleaves plain vs Galileo variants in one process: built-in redaction off, and the export
// request sent through a minimal `node:http` shim in place of `globalThis.fetch` (what the
// transport would cost with `http.request`). Usage: node --expose-gc bench/diagnose.mjs [spans]
import http from 'node:http';
import { startChild } from './lib/child.mjs';
import { drive } from './lib/drive.mjs';
import { makePipeline } from './lib/pipelines.mjs';
import { treeFactory } from './lib/spans.mjs';
import { sleep, summary } from './lib/stats.mjs';

const realFetch = globalThis.fetch;
const agent = new http.Agent({ keepAlive: true });
function httpFetch(url, init) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method, headers: init.headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve(
          new Response(chunks.length ? Buffer.concat(chunks) : null, {
            status: res.statusCode,
            headers: res.headers,
          }),
        ),
      );
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
const sink = await startChild('lib/sink-child.mjs', ['ok']);
const variants = {
  plain: () => makePipeline('plain', sink.url),
  galileo: () => makePipeline('galileo', sink.url),
  'galileo-noredact': () => makePipeline('galileo', sink.url, { redactSecrets: false }),
  'galileo-httpfetch': () => makePipeline('galileo', sink.url),
  'galileo-noredact-httpfetch': () => makePipeline('galileo', sink.url, { redactSecrets: false }),
};
const res = {};
const N = Number(process.argv[2] ?? 40000);
for (let r = 0; r < 4; r++) {
  for (const [name, make] of Object.entries(variants)) {
    globalThis.fetch = name.endsWith('httpfetch') ? httpFetch : realFetch;
    globalThis.gc?.();
    await sleep(50);
    const p = make();
    const emit = treeFactory(p.tracer);
    const c0 = process.cpuUsage();
    const d = await drive(emit, { spans: r === 0 ? 4000 : N, rate: 10000 });
    const s = await p.settle(d.spans);
    const c = process.cpuUsage(c0);
    await p.shutdown();
    if (r > 0) {
      res[name] ??= [];
      res[name].push((c.user + c.system) / d.spans);
    }
    if (s.delivered !== d.spans) console.log(name, 'delivered', s.delivered, d.spans);
  }
}
const plain = summary(res.plain).median;
for (const [k, v] of Object.entries(res)) {
  const m = summary(v).median;
  console.log(
    k.padEnd(28),
    `${m.toFixed(2)} µs/span`,
    `${(m / plain).toFixed(2)}× plain`,
    v.map((x) => x.toFixed(1)).join(' '),
  );
}
await sink.close();
