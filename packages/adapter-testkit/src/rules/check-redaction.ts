import { REDACTED } from '@galileo-otel/core';
import { spanRef } from '../internal/span-text.js';
import type { ConformanceSpan, Finding } from './finding.js';

/** Options of {@link checkRedaction}. */
export interface RedactionOptions {
  /**
   * Also require the redaction marker somewhere, proving the secret reached the spans and was
   * replaced (a run that never saw the input would pass vacuously).
   * @defaultValue `true`
   */
  expectMarker?: boolean | undefined;
}

/**
 * Checks that `secret` appears nowhere in the export: span names, attributes, status messages,
 * events, links and resources.
 */
export function checkRedaction(
  spans: readonly ConformanceSpan[],
  secret: string,
  options: RedactionOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  let marker = false;
  for (const span of spans) {
    const places: string[] = [];
    if (span.name.includes(secret)) places.push('its name');
    if (span.status.message.includes(secret)) places.push('its status message');
    for (const [key, value] of Object.entries(span.attributes)) {
      const text = textOf(value);
      if (text.includes(secret)) places.push(`attribute \`${key}\``);
      if (text.includes(REDACTED)) marker = true;
    }
    for (const event of span.events ?? []) {
      if (event.name.includes(secret)) places.push(`event \`${event.name}\` name`);
      for (const [key, value] of Object.entries(event.attributes)) {
        if (textOf(value).includes(secret))
          places.push(`event \`${event.name}\` attribute \`${key}\``);
      }
    }
    for (const link of span.links ?? []) {
      if (Object.values(link.attributes).some((v) => textOf(v).includes(secret))) {
        places.push('a link attribute');
      }
    }
    for (const [key, value] of Object.entries(span.resource ?? {})) {
      if (textOf(value).includes(secret)) places.push(`resource attribute \`${key}\``);
    }
    if (places.length === 0) continue;
    findings.push({
      rule: 'redaction',
      spanId: span.spanId,
      message: `${spanRef(span).replaceAll(secret, '<secret>')} leaks the secret from the user input in ${places.join(', ')}. Core redacts attribute values at export, but not span names, status messages or what an adapter sends elsewhere: keep user text out of those.`,
    });
  }
  if ((options.expectMarker ?? true) && findings.length === 0 && !marker) {
    findings.push({
      rule: 'redaction',
      message: `expected the secret in the run's input to reach the spans as \`${REDACTED}\`; no attribute contains \`${REDACTED}\` (${spans.length} spans). Pass \`run.input\` to the agent as its user message and record it on the spans.`,
    });
  }
  return findings;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
}
