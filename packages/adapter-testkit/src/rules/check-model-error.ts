import { expectFailedSpan } from '../internal/failed-span.js';
import type { ConformanceSpan, Finding } from './finding.js';

/**
 * Checks that a failed model call shows as failed: at least one llm span has status ERROR (2).
 * Its `error.type` and `exception` event are checked by `checkErrorShape()`.
 */
export function checkModelError(spans: readonly ConformanceSpan[]): Finding[] {
  return expectFailedSpan(spans, {
    kind: 'llm',
    rule: 'model-error',
    because: 'the model call failed (the local model answered 500)',
  });
}
