import { expectFailedSpan } from '../internal/failed-span.js';
import type { ConformanceSpan, Finding } from './finding.js';

/**
 * Checks that the run's failing tool shows as failed: at least one tool span has status ERROR
 * (2). Its `error.type` and `exception` event are checked by `checkErrorShape()`.
 */
export function checkToolError(spans: readonly ConformanceSpan[]): Finding[] {
  return expectFailedSpan(spans, { kind: 'tool', rule: 'tool-error', because: 'the tool threw' });
}
