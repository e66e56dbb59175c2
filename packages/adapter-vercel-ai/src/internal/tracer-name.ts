/** Instrumentation scope of the spans `galileoTelemetry()` writes with its default tracer. */
export const TRACER_NAME = '@galileo-otel/adapter-vercel-ai';
/** Version reported with {@link TRACER_NAME}. */
export const TRACER_VERSION = '0.1.0';
