import {
  GalileoMastraExporter,
  type GalileoMastraExporterOptions,
} from './galileo-mastra-exporter.js';

/**
 * Creates the Galileo exporter for Mastra's `Observability` config. Pass it as the `bridge`
 * (recommended: runs join the caller's OTel trace and tool code runs under the tool span), or
 * in `exporters`. It is not a `registerGalileo({ adapters })` adapter: it goes on Mastra's side.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { mastraExporter } from '@galileo-otel/adapter-mastra';
 * import { Observability } from '@mastra/observability';
 *
 * registerGalileo({ serviceName: 'agents' });
 * const observability = new Observability({
 *   configs: { default: { serviceName: 'agents', bridge: mastraExporter() } },
 * });
 */
export function mastraExporter(options: GalileoMastraExporterOptions = {}): GalileoMastraExporter {
  return new GalileoMastraExporter(options);
}

/**
 * The former name of {@link mastraExporter}; the same function.
 * @deprecated Use mastraExporter().
 */
export const galileoExporter: typeof mastraExporter = mastraExporter;
