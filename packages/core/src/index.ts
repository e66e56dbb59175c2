export type { GalileoAdapter } from './adapter/galileo-adapter.js';
export {
  GalileoAttributes,
  GenAiAttributes,
  SplunkAoAttributes,
} from './attributes/attribute-names.js';
export {
  agentAttributes,
  agentSpanName,
  errorType,
  type GalileoMessage,
  type GalileoToolCall,
  ioAttributes,
  llmAttributes,
  llmSpanName,
  messagesJson,
  recordSpanError,
  retrieverAttributes,
  type TokenUsage,
  toolAttributes,
  toolCall,
  toolSpanName,
  usageAttributes,
  workflowAttributes,
} from './attributes/genai-shapes.js';
export type {
  GalileoOtlpExporterOptions,
  GalileoSpanProcessorOptions,
} from './config/galileo-options.js';
export {
  type DescribedSetting,
  describeGalileoConfig,
  type ResolvedGalileoConfig,
  resolveGalileoConfig,
  type SettingSource,
} from './config/resolve-config.js';
export {
  type AuthHeader,
  type DestinationKind,
  type DestinationOptions,
  type DestinationRouting,
  type ResolvedDestination,
  type RoutingFamily,
  resolveDestination,
} from './config/resolve-destination.js';
export {
  type AdapterHost,
  type AdapterStartDecision,
  runClock,
  type SpanTranslation,
  safeJsonStringify,
} from './deprecated.js';
export {
  DEFAULT_GALILEO_ENDPOINT,
  type EndpointOptions,
  resolveEndpoint,
} from './endpoint/resolve-endpoint.js';
export { GalileoConfigError } from './errors/galileo-config-error.js';
export type { ExportStats } from './exporter/export-stats.js';
export {
  GalileoOtlpExporter,
  type GalileoOtlpExporterSettings,
  type SpanRewrite,
} from './exporter/galileo-otlp-exporter.js';
export type { GalileoLogger } from './internal/logger.js';
export { type GalileoKind, galileoKind, type SpanWithAttributes } from './kinds/galileo-kind.js';
export {
  type GalileoProcessorOptions,
  GalileoSpanProcessor,
} from './processor/galileo-span-processor.js';
export {
  type ExtractOptions,
  endServerSpan,
  extractContext,
  type IncomingHeaders,
  injectTraceHeaders,
  type ServerRequestInfo,
  startServerSpan,
  tracedFetch,
  withGalileoSession,
} from './propagation/propagation.js';
export {
  type FastifyLike,
  galileoExpress,
  galileoExpressErrors,
  galileoFastify,
  galileoHono,
  type HonoLikeContext,
  traceHttpHandler,
} from './propagation/server-middleware.js';
export { SessionBaggagePropagator } from './propagation/session-baggage-propagator.js';
export {
  isSecretKey,
  REDACTED,
  type RedactFunction,
  redactSecretText,
} from './redaction/redact.js';
export {
  type GalileoRegistration,
  type RegisterGalileoOptions,
  registerGalileo,
} from './register-galileo.js';
