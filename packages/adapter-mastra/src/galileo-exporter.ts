import {
  GalileoMastraExporter,
  type GalileoMastraExporterOptions,
} from './galileo-mastra-exporter.js';

/**
 * Creates the Galileo exporter for Mastra's `Observability` config. Pass it as the `bridge`
 * (recommended: runs join the caller's OTel trace and tool code runs under the tool span), or
 * in `exporters`.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { galileoExporter } from '@galileo-otel/adapter-mastra';
 * import { Observability } from '@mastra/observability';
 *
 * registerGalileo({ serviceName: 'agents' });
 * const observability = new Observability({
 *   configs: { default: { serviceName: 'agents', bridge: galileoExporter() } },
 * });
 */
export function galileoExporter(options: GalileoMastraExporterOptions = {}): GalileoMastraExporter {
  return new GalileoMastraExporter(options);
}
