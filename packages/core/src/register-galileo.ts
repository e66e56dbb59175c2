import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  type GalileoProcessorOptions,
  GalileoSpanProcessor,
} from './processor/galileo-span-processor.js';

/** Options of {@link registerGalileo}: the processor's options plus provider settings. */
export interface RegisterGalileoOptions extends GalileoProcessorOptions {
  /**
   * `service.name` of this process's spans.
   * @defaultValue `OTEL_SERVICE_NAME`, then the SDK's `unknown_service:<process>`
   */
  serviceName?: string | undefined;
  /**
   * Extra span processors on the same provider (e.g. a console exporter while developing).
   * @defaultValue `[]`
   */
  spanProcessors?: readonly SpanProcessor[] | undefined;
}

/** What {@link registerGalileo} set up. */
export interface GalileoRegistration {
  /** The tracer provider, registered globally. */
  provider: TracerProvider;
  /** The Galileo processor on it. */
  processor: GalileoSpanProcessor;
  /** Exports every ended span and waits for delivery. */
  forceFlush(): Promise<void>;
  /** Flushes and shuts the provider down. */
  shutdown(): Promise<void>;
}

/**
 * One-call set-up: a tracer provider with the Galileo processor, AsyncLocalStorage context and
 * W3C trace-context + baggage propagators, all registered globally. Call it before importing
 * instrumented frameworks. Warns (never throws) when another provider already owns the global
 * slot, since spans from the global tracer would then never reach Galileo.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * const galileo = registerGalileo({ serviceName: 'agent-a' });
 * // ... on exit: await galileo.shutdown();
 */
export function registerGalileo(options: RegisterGalileoOptions = {}): GalileoRegistration {
  const processor = new GalileoSpanProcessor(options);
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME;
  let resource = defaultResource();
  if (serviceName)
    resource = resource.merge(resourceFromAttributes({ 'service.name': serviceName }));
  const provider = new TracerProvider({
    resource,
    spanProcessors: [processor, ...(options.spanProcessors ?? [])],
  });
  const warn = (message: string) => {
    if (options.logger !== false) (options.logger ?? console).warn(`[galileo-otel] ${message}`);
  };
  if (!context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())) {
    warn('a global context manager was already registered; keeping it.');
  }
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  const registered = trace.setGlobalTracerProvider(provider);
  const delegate = (trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.();
  if (!registered || (delegate !== undefined && delegate !== provider)) {
    warn(
      'another OpenTelemetry tracer provider is already registered globally (Sentry, @vercel/otel, ' +
        'a NodeSDK, or a second copy of @opentelemetry/api): spans from the global tracer will ' +
        'not reach Galileo. Add `new GalileoSpanProcessor()` to that provider instead of calling ' +
        'registerGalileo().',
    );
  }
  const apiWarning = checkApiCopies();
  if (apiWarning) warn(apiWarning);
  return {
    provider,
    processor,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * The global OTel API slot records the version of the `@opentelemetry/api` copy that registered
 * first. A copy with a newer minor cannot use globals registered by an older one, so its tracers
 * silently record nothing: say so, with the fix.
 */
function checkApiCopies(): string | undefined {
  try {
    const registered = (globalThis as Record<symbol, { version?: string } | undefined>)[API_GLOBAL]
      ?.version;
    const ours = (
      createRequire(import.meta.url)('@opentelemetry/api/package.json') as {
        version: string;
      }
    ).version;
    if (!registered || registered === ours) return undefined;
    const [regMajor, regMinor] = registered.split('.').map(Number);
    const [ourMajor, ourMinor] = ours.split('.').map(Number);
    if (regMajor === ourMajor && (regMinor ?? 0) >= (ourMinor ?? 0)) return undefined;
    return (
      `@opentelemetry/api ${registered} registered the OpenTelemetry globals, but this process ` +
      `also loads @opentelemetry/api ${ours}, which cannot use them: its spans would be lost. ` +
      'Dedupe with "overrides": { "@opentelemetry/api": "$@opentelemetry/api" } in package.json ' +
      '(npx galileo-otel doctor lists the copies).'
    );
  } catch {
    return undefined;
  }
}
