// Item 2 on the OTel line the peers support (API 1.9, SDK 2 `sdk-trace-base` 2.8): CPU per span
// of the peers' processors vs the plain SDK 2 BatchSpanProcessor + OTLP protobuf in this same
// process, on the same span trees, with the same method as suites/cpu.mjs. GalileoSpanProcessor
// runs here on the SDK 2 provider too (it supports SDK 2 and 3); it brings its own copies of
// the project's OTel packages (API 1.10, otlp-transformer 0.301), so this process holds two
// API copies; no global is registered, so they never meet.
// Bare imports resolve from bench/peers/sdk2/node_modules (installed by ../install.mjs).

import { OpenInferenceBatchSpanProcessor } from '@arizeai/openinference-vercel';
import { GalileoSpanProcessor } from '@galileo-otel/core';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { finish, startChild } from '../../lib/child.mjs';
import { drive } from '../../lib/drive.mjs';
import { BENCH_API_KEY } from '../../lib/bench-api-key.mjs';
import { treeFactory } from '../../lib/spans.mjs';
import { sleep, summary } from '../../lib/stats.mjs';

const quick = process.argv.includes('--quick');
const SPANS = quick ? 800 : 40_000;
const WARMUP_SPANS = quick ? 160 : 8_000;
const REPEATS = quick ? 1 : 5;
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
process.send?.({ type: 'ready' });
const sink = await startChild('lib/sink-child.mjs', ['ok']);

class CountingExporter {
  constructor(inner) {
    this.inner = inner;
    this.pending = 0;
    this.exported = 0;
    this.delivered = 0;
  }
  export(spans, done) {
    this.pending++;
    this.exported += spans.length;
    this.inner.export(spans, (result) => {
      this.pending--;
      if (result.code === 0) this.delivered += spans.length;
      done(result);
    });
  }
  forceFlush() {
    return this.inner.forceFlush?.();
  }
  shutdown() {
    return this.inner.shutdown();
  }
}

const LABELS = {
  plain: 'plain SDK 2 BatchSpanProcessor + OTLP protobuf',
  openinference: '`@arizeai/openinference-vercel` OpenInferenceBatchSpanProcessor + OTLP protobuf',
  langfuse: '`@langfuse/otel` LangfuseSpanProcessor (its default OTLP JSON exporter)',
  'langfuse-proto': '`@langfuse/otel` LangfuseSpanProcessor with an OTLP protobuf exporter',
  'langfuse-all':
    '`@langfuse/otel` LangfuseSpanProcessor exporting every span (`shouldExportSpan: () => true`), OTLP protobuf',
  galileo: 'GalileoSpanProcessor on the SDK 2 provider',
};

function make(kind) {
  const url = sink.url;
  let exporter;
  let processor;
  if (kind === 'galileo') {
    processor = new GalileoSpanProcessor({ apiKey: BENCH_API_KEY, endpoint: url, logger: false });
  } else if (kind.startsWith('langfuse')) {
    const Exporter = kind === 'langfuse' ? HttpJsonExporter : ProtoExporter;
    exporter = new CountingExporter(
      new Exporter({
        url: `${url.replace(/\/v1\/traces$/, '')}/api/public/otel/v1/traces`,
        headers: { Authorization: `Basic ${Buffer.from('pk-bench:sk-bench').toString('base64')}` },
      }),
    );
    processor = new LangfuseSpanProcessor({
      publicKey: 'pk-bench',
      secretKey: 'sk-bench',
      baseUrl: url.replace(/\/v1\/traces$/, ''),
      exporter,
      // Its default filter drops spans that are not GenAI (1 in 8 here); this row exports all
      // of them, so it does the same work as the plain and Galileo rows.
      ...(kind === 'langfuse-all' ? { shouldExportSpan: () => true } : {}),
    });
  } else {
    exporter = new CountingExporter(new ProtoExporter({ url }));
    processor =
      kind === 'openinference'
        ? new OpenInferenceBatchSpanProcessor({ exporter })
        : new BatchSpanProcessor(exporter);
  }
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  return { provider, processor, exporter, tracer: provider.getTracer('bench') };
}

async function once(kind, spans) {
  globalThis.gc?.();
  await sleep(50);
  await sink.ask('reset');
  const p = make(kind);
  const emit = treeFactory(p.tracer);
  const cpu0 = process.cpuUsage();
  const driven = await drive(emit, { spans, rate: RATE });
  await p.processor.forceFlush();
  while (p.exporter && p.exporter.pending > 0) await sleep(1);
  const cpu = process.cpuUsage(cpu0);
  const delivered = p.exporter ? p.exporter.delivered : p.processor.stats().spansExported;
  await p.provider.shutdown();
  const wire = await sink.ask('stats');
  return {
    kind,
    spans: driven.spans,
    cpuUsPerSpan: (cpu.user + cpu.system) / driven.spans,
    delivered,
    wireBytes: wire.bytes,
  };
}

const KINDS = Object.keys(LABELS);
for (const kind of KINDS) await once(kind, WARMUP_SPANS);
const runs = [];
for (let r = 0; r < REPEATS; r++) {
  const order = KINDS.map((_, i) => KINDS[(i + r) % KINDS.length]);
  for (const kind of order) runs.push({ repeat: r, ...(await once(kind, SPANS)) });
}
await sink.close();
const rows = KINDS.map((kind) => {
  const mine = runs.filter((x) => x.kind === kind);
  const ratios = mine.map(
    (x) =>
      x.cpuUsPerSpan / runs.find((p) => p.kind === 'plain' && p.repeat === x.repeat).cpuUsPerSpan,
  );
  const spans = mine.reduce((n, x) => n + x.spans, 0);
  const delivered = mine.reduce((n, x) => n + x.delivered, 0);
  return {
    kind,
    label: LABELS[kind],
    cpuUsPerSpan: summary(mine.map((x) => x.cpuUsPerSpan)),
    ratio: summary(ratios),
    deliveredPct: (100 * delivered) / spans,
    bytesPerSpan: delivered ? mine.reduce((n, x) => n + x.wireBytes, 0) / delivered : undefined,
  };
});
finish({ spansPerRun: SPANS, repeats: REPEATS, rate: RATE, rows });
