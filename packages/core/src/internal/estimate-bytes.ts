import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const SPAN_OVERHEAD_BYTES = 160;
const EVENT_OVERHEAD_BYTES = 32;
const LINK_OVERHEAD_BYTES = 48;
const ATTRIBUTE_OVERHEAD_BYTES = 4;
const ARRAY_OVERHEAD_BYTES = 16;
const SCALAR_BYTES = 9;

/**
 * What a span costs the export queue, in bytes. It bounds memory, so it must grow with
 * everything the span holds: event and link attributes and each string inside an array can be
 * as large as a top-level attribute, and ignoring them let a few spans bypass `maxQueueBytes`.
 * String length in UTF-16 units is the in-memory size to within a factor of two, and is free.
 */
export function estimateBytes(span: ReadableSpan): number {
  let bytes = SPAN_OVERHEAD_BYTES + span.name.length + attributeBytes(span.attributes);
  for (const event of span.events) {
    bytes += EVENT_OVERHEAD_BYTES + event.name.length;
    if (event.attributes) bytes += attributeBytes(event.attributes);
  }
  for (const link of span.links) {
    bytes += LINK_OVERHEAD_BYTES;
    if (link.attributes) bytes += attributeBytes(link.attributes);
  }
  const message = span.status.message;
  if (message) bytes += message.length;
  return bytes;
}

function attributeBytes(attributes: Attributes): number {
  let bytes = 0;
  // Object.keys, not for-in: SDK attribute objects are in dictionary mode, where for-in
  // re-checks every key it yields.
  const keys = Object.keys(attributes);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = attributes[key];
    bytes += key.length + ATTRIBUTE_OVERHEAD_BYTES;
    if (typeof value === 'string') bytes += value.length;
    else if (Array.isArray(value)) {
      bytes += ARRAY_OVERHEAD_BYTES;
      for (const item of value) bytes += typeof item === 'string' ? item.length + 2 : SCALAR_BYTES;
    } else bytes += SCALAR_BYTES;
  }
  return bytes;
}
