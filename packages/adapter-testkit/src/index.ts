export { ConformanceError } from './conformance-error.js';
export {
  type ConformanceOptions,
  type ConformanceScenario,
  type ConformanceSuite,
  createConformanceSuite,
  type ScenarioId,
  type ScenarioResult,
} from './create-conformance-suite.js';
export type {
  AdapterDriver,
  ConformanceEnvironment,
  ConformanceRun,
  ConformanceSetup,
  ConformanceStats,
  SecretRun,
  TraceparentRun,
} from './driver/adapter-driver.js';
export { DriverTodoError, todo } from './driver/todo.js';
export { isUnsupported, type Unsupported, unsupported } from './driver/unsupported.js';
export { formatFindings } from './format-findings.js';
export {
  type AttributeShapesOptions,
  checkAttributeShapes,
} from './rules/check-attribute-shapes.js';
export { checkErrorShape } from './rules/check-error-shape.js';
export { checkFlush, type FlushObservation } from './rules/check-flush.js';
export { checkIsolation } from './rules/check-isolation.js';
export { checkKinds } from './rules/check-kinds.js';
export { checkMessages } from './rules/check-messages.js';
export { checkModelError } from './rules/check-model-error.js';
export { checkNoOrphans, type NoOrphansOptions } from './rules/check-no-orphans.js';
export { checkParentage } from './rules/check-parentage.js';
export { checkRedaction, type RedactionOptions } from './rules/check-redaction.js';
export { checkSingleTrace } from './rules/check-single-trace.js';
export { checkToolError } from './rules/check-tool-error.js';
export { checkToolIo } from './rules/check-tool-io.js';
export { checkTraceparentJoin } from './rules/check-traceparent-join.js';
export type { ConformanceRule, ConformanceSpan, Finding } from './rules/finding.js';
export { runAdapterConformance } from './run-adapter-conformance.js';
export { traceparentContext } from './traceparent-context.js';
