import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import {
  type GalileoProcessorOptions,
  GalileoSpanProcessor,
} from '../processor/galileo-span-processor.js';

/** The API key every harness uses; tests assert it never leaks. */
export const HARNESS_API_KEY = 'gal-harness-key-0123456789';

/** A real pipeline: SDK 3 provider, the Galileo processor, and an OTLP protobuf sink. */
export interface WireHarness {
  sink: OtlpSink;
  processor: GalileoSpanProcessor;
  provider: TracerProvider;
  tracer: Tracer;
  /** Every line the processor logged. */
  warnings: string[];
  /** Flushes the provider, then returns every span the sink accepted so far, decoded. */
  flushSpans(): Promise<OtlpSpan[]>;
  /** Shuts the provider down and closes the sink. */
  close(): Promise<void>;
}

/** Starts a sink and a provider whose only processor is a Galileo processor exporting to it. */
export async function startWireHarness(
  options: GalileoProcessorOptions = {},
  sink?: OtlpSink,
): Promise<WireHarness> {
  const receiver = sink ?? (await startOtlpSink());
  const warnings: string[] = [];
  const processor = new GalileoSpanProcessor({
    apiKey: HARNESS_API_KEY,
    endpoint: receiver.url,
    project: 'harness-project',
    logStream: 'harness-stream',
    logger: { warn: (line) => warnings.push(line) },
    ...options,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'harness-service' }),
    spanProcessors: [processor],
  });
  return {
    sink: receiver,
    processor,
    provider,
    tracer: provider.getTracer('harness'),
    warnings,
    flushSpans: async () => {
      await provider.forceFlush();
      return receiver.spans();
    },
    close: async () => {
      await provider.shutdown();
      await receiver.close();
    },
  };
}

/** The one span with this name, or a failure naming what arrived instead. */
export function spanNamed(spans: readonly OtlpSpan[], name: string): OtlpSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one span named ${JSON.stringify(name)}, got ${found.length} among [${spans.map((s) => s.name).join(', ')}]`,
    );
  }
  return found[0] as OtlpSpan;
}
