import { GenAiAttributes } from '@galileo-otel/core/adapter';
import { preview, spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/**
 * Checks the one error shape on every span with status ERROR (2), whatever its kind: a
 * non-empty `error.type` (the error's class) and an `exception` event carrying
 * `exception.message` and `exception.type`.
 */
export function checkErrorShape(spans: readonly ConformanceSpan[]): Finding[] {
  const findings: Finding[] = [];
  for (const span of spans) {
    if (span.status.code !== 2) continue;
    const saw: string[] = [];
    const type = span.attributes[GenAiAttributes.ERROR_TYPE];
    if (typeof type !== 'string' || type === '') {
      saw.push(type === undefined ? 'no `error.type`' : `error.type=${preview(type)}`);
    }
    const events = (span.events ?? []).filter((e) => e.name === 'exception');
    const complete = events.some(
      (e) => filled(e.attributes['exception.message']) && filled(e.attributes['exception.type']),
    );
    if (events.length === 0) saw.push('no `exception` event');
    else if (!complete) {
      const keys = Object.keys(events[0]?.attributes ?? {}).join(', ') || 'no attributes';
      saw.push(
        `an \`exception\` event without both \`exception.message\` and \`exception.type\` (it has ${keys})`,
      );
    }
    if (saw.length === 0) continue;
    findings.push({
      rule: 'error-shape',
      spanId: span.spanId,
      message: `${spanRef(span)} has status ERROR (2)${span.status.message ? ` ("${preview(span.status.message)}")` : ''}, so it should carry a non-empty \`error.type\` (the error's class) and an \`exception\` event with \`exception.message\` and \`exception.type\`; saw ${saw.join(' and ')}. Call \`recordSpanError(span, error)\` from \`@galileo-otel/core/adapter\` where the framework reports the failure (translate style: in \`onEnding\`, while the span can still change).`,
    });
  }
  return findings;
}

function filled(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
