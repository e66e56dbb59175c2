// Diagnostic, not part of `npm run bench`: the export encoder alone. Encodes the bench's span
// trees (bench/lib/spans.mjs) in requests of 256 spans, as the transport slices them, with
// OTel's `ProtobufTraceSerializer` (what the plain pipeline uses) and with core's
// `encodeTraceRequest`, and prints per span:
// - CPU time: min and median over interleaved rounds (min is the figure least moved by a busy
//   machine);
// - bytes allocated on the V8 heap, from V8's sampling heap profiler with collected objects
//   kept in the count (so GC cannot hide them), besides the request body itself, which both
//   allocate once per request (the B/span on the wire).
// Usage: node bench/encode.mjs [requests per round]   (after `npx turbo run build` for core)

import { isDeepStrictEqual } from 'node:util';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { encodeTraceRequest } from '../packages/core/dist/internal/encode-trace-request.js';
import { decodeTraceRequest } from '../packages/otlp-proto/dist/index.js';
import { heapSampler } from './lib/heap-sampler.mjs';
import { SPANS_PER_TREE, treeFactory } from './lib/spans.mjs';
import { summary } from './lib/stats.mjs';

const REQUEST = 256;
const requests = Number(process.argv[2] ?? 40);
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const emit = treeFactory(provider.getTracer('bench'));
for (let i = 0; i < (REQUEST * 8) / SPANS_PER_TREE; i++) emit(i);
const batches = [];
const spans = exporter.getFinishedSpans();
for (let i = 0; i < spans.length; i += REQUEST) batches.push(spans.slice(i, i + REQUEST));

const encoders = {
  'OTel ProtobufTraceSerializer': (s) => ProtobufTraceSerializer.serializeRequest(s),
  'core encodeTraceRequest': encodeTraceRequest,
};
const reference = encoders['OTel ProtobufTraceSerializer'](spans);
const mine = encodeTraceRequest(spans);
// Core's bytes are OTel's in proto3's own encoding (zero counts and UNSET status codes left
// off), so the two are compared decoded.
if (!isDeepStrictEqual(decodeTraceRequest(mine), decodeTraceRequest(reference))) {
  throw new Error('the encoders disagree on the bench spans');
}
const wireBytesPerSpan = reference.length / spans.length;
const coreBytesPerSpan = mine.length / spans.length;

function run(encode) {
  for (let r = 0; r < requests; r++) encode(batches[r % batches.length]);
}

const micros = Object.fromEntries(Object.keys(encoders).map((k) => [k, []]));
for (let round = 0; round < 22; round++) {
  for (const [name, encode] of Object.entries(encoders)) {
    const c0 = process.cpuUsage();
    run(encode);
    const c = process.cpuUsage(c0);
    if (round >= 2) micros[name].push((c.user + c.system) / (requests * REQUEST));
  }
}

const sampler = await heapSampler({ samplingInterval: 256 });
const heapBytesPerSpan = async (encode) =>
  (await sampler.bytes(() => run(encode))) / (requests * REQUEST);

console.log(
  `${requests} requests of ${REQUEST} spans per round, ${wireBytesPerSpan.toFixed(0)} B/span on the wire from OTel's, ${coreBytesPerSpan.toFixed(0)} from core's`,
);
for (const [name, encode] of Object.entries(encoders)) {
  const t = summary(micros[name]);
  const heap = await heapBytesPerSpan(encode);
  console.log(
    name.padEnd(30),
    `${t.min.toFixed(2)} µs/span min, ${t.median.toFixed(2)} median (max ${t.max.toFixed(2)})`,
    `| ${heap.toFixed(0)} B/span heap allocated + the body`,
  );
}
await sampler.close();
await provider.shutdown();
