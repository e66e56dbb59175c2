import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { expect } from 'vitest';
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

/** The routing a Galileo processor puts on every request it sends and every span in it. */
export interface ExpectedRouting {
  apiKey: string;
  project: string;
  logStream: string;
}

/**
 * Every span the sink accepted, after checking that it received at least one request and that
 * each request carried Galileo's protobuf content type, key, project and log-stream headers and
 * each span in it the project and log stream on its resource.
 */
export function routedSinkSpans(sink: OtlpSink, routing: ExpectedRouting): OtlpSpan[] {
  expect(sink.requests.length).toBeGreaterThan(0);
  for (const request of sink.requests) {
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'galileo-api-key': routing.apiKey,
      project: routing.project,
      logstream: routing.logStream,
    });
    for (const span of request.spans) {
      expect(span.resource).toMatchObject({
        'galileo.project.name': routing.project,
        'galileo.logstream.name': routing.logStream,
      });
    }
  }
  return sink.spans();
}
