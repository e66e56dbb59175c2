import type { ConformanceStats } from '../driver/adapter-driver.js';
import { spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/** What the kit saw around one run's `forceFlush()`. */
export interface FlushObservation {
  /** Processor counters before the run started. */
  readonly before: ConformanceStats;
  /** Processor counters right after `forceFlush()` resolved. */
  readonly afterFlush: ConformanceStats;
  /** Spans of this run the receiver had when `forceFlush()` resolved. */
  readonly receivedAtFlush: number;
  /** Spans of this run that reached the receiver only on a later flush. */
  readonly late: readonly ConformanceSpan[];
}

/**
 * Checks that `forceFlush()` delivered the whole run: nothing left in the queue, nothing
 * dropped or failed, the receiver got every span the processor queued (less those an adapter
 * filtered at export), and no span of the run ended after `forceFlush()` returned.
 */
export function checkFlush(observation: FlushObservation): Finding[] {
  const { before, afterFlush: after, receivedAtFlush, late } = observation;
  const findings: Finding[] = [];
  const delta = (key: keyof ConformanceStats) => after[key] - before[key];
  if (after.queueLength > 0) {
    findings.push({
      rule: 'flush',
      message: `expected an empty export queue after \`forceFlush()\`; ${after.queueLength} spans are still queued.`,
    });
  }
  const lost = delta('spansDropped') + delta('spansFailed');
  if (lost > 0) {
    findings.push({
      rule: 'flush',
      message: `expected every span of the run to be delivered; the processor dropped or failed ${lost} (spansDropped +${delta('spansDropped')}, spansFailed +${delta('spansFailed')}).`,
    });
  }
  const queued = delta('spansQueued');
  const filtered = delta('spansFiltered');
  if (receivedAtFlush < queued - filtered || receivedAtFlush > queued) {
    findings.push({
      rule: 'flush',
      message: `expected the receiver to hold every span the processor queued once \`forceFlush()\` resolved; the processor queued ${queued}${filtered ? ` (${filtered} filtered by an adapter)` : ''} and the receiver had ${receivedAtFlush}.`,
    });
  }
  if (late.length > 0) {
    findings.push({
      rule: 'flush',
      message: `${late.length} span${late.length === 1 ? '' : 's'} of the run ended after \`forceFlush()\` returned and reached the receiver only on a later flush: ${late.map((s) => spanRef(s)).join('; ')}. A serverless function that exits after \`forceFlush()\` loses them: end (or export) the spans your adapter still holds in its \`forceFlush()\` hook, and make the driver resolve only when the run is finished.`,
    });
  }
  return findings;
}
