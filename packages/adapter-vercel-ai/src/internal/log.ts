import { type AdapterLogger, createAdapterLogger } from '@galileo-otel/core/adapter';

/**
 * The one logger of this package, shared by the telemetry integration and the translator: a
 * failed hook or a deprecated option is reported once, never thrown into the app.
 */
export const log: AdapterLogger = createAdapterLogger('vercel-ai');
