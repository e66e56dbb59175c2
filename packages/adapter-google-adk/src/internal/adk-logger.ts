import { type AdapterLogger, createAdapterLogger } from '@galileo-otel/core/adapter';

/**
 * The one logger of this package: the adapter, the plugin and the tracing check all report
 * through it, so a line is printed once and goes through the processor's logger once
 * `googleAdk()` is installed.
 */
export const adkLogger: AdapterLogger = createAdapterLogger('google-adk');
