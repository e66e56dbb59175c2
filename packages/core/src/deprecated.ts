// Names the root entry keeps for code written before the adapter kit had its own entry point.
// Each one works as before and says where it lives now.
import type * as Contract from './adapter/galileo-adapter.js';
import { runClock as kitRunClock } from './adapter/run-clock.js';
import { safeJsonStringify as kitSafeJsonStringify } from './internal/safe-json.js';

/** @deprecated Adapter-author API: import it from `@galileo-otel/core/adapter`. */
export type AdapterHost = Contract.AdapterHost;
/** @deprecated Adapter-author API: import it from `@galileo-otel/core/adapter`. */
export type AdapterStartDecision = Contract.AdapterStartDecision;
/** @deprecated Adapter-author API: import it from `@galileo-otel/core/adapter`. */
export type SpanTranslation = Contract.SpanTranslation;
/** @deprecated Adapter-author API: import it from `@galileo-otel/core/adapter`. */
export const runClock: typeof kitRunClock = kitRunClock;
/** @deprecated Adapter-author API: import it from `@galileo-otel/core/adapter`. */
export const safeJsonStringify: typeof kitSafeJsonStringify = kitSafeJsonStringify;
