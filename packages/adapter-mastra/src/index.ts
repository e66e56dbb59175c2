export { galileoExporter } from './galileo-exporter.js';
export {
  GalileoMastraExporter,
  type GalileoMastraExporterOptions,
} from './galileo-mastra-exporter.js';
export {
  type TraceJoinOptions,
  tracingOptionsFromContext,
} from './tracing-options-from-context.js';
