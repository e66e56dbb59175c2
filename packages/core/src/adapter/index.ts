// @galileo-otel/core/adapter: the kit adapter authors build on. Applications import from
// `@galileo-otel/core`.

export {
  GalileoAttributes,
  GenAiAttributes,
  SplunkAoAttributes,
} from '../attributes/attribute-names.js';
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
  turnMessages,
  usageAttributes,
  workflowAttributes,
} from '../attributes/genai-shapes.js';
export { safeJsonStringify, toAttributeText } from '../internal/safe-json.js';
export { type AdapterLogger, createAdapterLogger } from './adapter-logger.js';
export { type AdapterPackage, adapterPackage } from './adapter-tracer.js';
export type {
  AdapterHost,
  AdapterStartDecision,
  GalileoAdapter,
  SpanTranslation,
} from './galileo-adapter.js';
export { runClock } from './run-clock.js';
export {
  DEFAULT_MAX_OPEN_RUNS,
  INCOMPLETE,
  INCOMPLETE_REASON,
  type IncompleteReason,
  markIncomplete,
  RunRegistry,
  type RunRegistryOptions,
} from './run-registry.js';
export { sessionAttributes, sessionFromBaggage, userAttributes } from './session.js';
export { asNumber, asScalarText, asString, isRecord } from './values.js';
