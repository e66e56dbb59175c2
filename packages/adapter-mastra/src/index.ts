export {
  GalileoMastraExporter,
  type GalileoMastraExporterOptions,
} from './galileo-mastra-exporter.js';
export { galileoExporter, mastraExporter } from './mastra-exporter.js';
export {
  type TraceJoinOptions,
  tracingOptionsFromContext,
} from './tracing-options-from-context.js';
