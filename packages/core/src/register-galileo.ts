import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { warnOnceIfApiCopiesClash } from './internal/api-copies.js';
import {
  type GalileoProcessorOptions,
  GalileoSpanProcessor,
} from './processor/galileo-span-processor.js';
import { SessionBaggagePropagator } from './propagation/session-baggage-propagator.js';

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
      propagators: [new W3CTraceContextPropagator(), new SessionBaggagePropagator()],
    }),
  );
  const registered = trace.setGlobalTracerProvider(provider);
  const delegate = (trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.();
  if (!registered || (delegate !== undefined && delegate !== provider)) {
    const owner = globalProviderName();
    warn(
      `another OpenTelemetry tracer provider is already registered globally${owner ? ` (${owner})` : ''}: ` +
        'spans from the global tracer will not reach Galileo. ' +
        (owner === 'SentryTracerProvider'
          ? 'With Sentry 8-10, pass `openTelemetrySpanProcessors: [new GalileoSpanProcessor()]` ' +
            'to Sentry.init() instead of calling registerGalileo(). Sentry 11+ takes no span ' +
            'processors: leave `enableOpenTelemetrySetup` off in Sentry.init() so ' +
            'registerGalileo() can register.'
          : 'It may be Sentry, @vercel/otel, a NodeSDK, or a second copy of @opentelemetry/api. ' +
            'Add `new GalileoSpanProcessor()` to that provider instead of calling registerGalileo().'),
    );
  }
  // The processor already checked, but the slot may have been empty until the lines above.
  warnOnceIfApiCopiesClash(warn);
  return {
    provider,
    processor,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

// Read from the global slot, not through this copy's `trace`: an older API copy's registration
// is invisible to it, and that is when the user most needs to know who owns the slot.
function globalProviderName(): string | undefined {
  try {
    const slot = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[
      Symbol.for('opentelemetry.js.api.1')
    ];
    const proxy = slot?.trace as { getDelegate?: () => unknown } | undefined;
    const owner = (proxy?.getDelegate?.() ?? proxy) as { constructor?: { name?: unknown } };
    const name = owner?.constructor?.name;
    // Bundled SDKs (@vercel/otel) minify class names; a name like `Ga` would only confuse.
    return typeof name === 'string' && name.endsWith('Provider') ? name : undefined;
  } catch {
    return undefined;
  }
}
