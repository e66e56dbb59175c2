import type { OtlpAttributes, OtlpValue } from '@galileo-otel/otlp-proto';

/** A JSON-safe attribute value as stored and served by the read API. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Converts a decoded OTLP value to JSON: integers too large for a double become decimal
 * strings, bytes become base64 strings.
 */
export function toJsonValue(value: OtlpValue): JsonValue {
  if (value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') return toJsonAttributes(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** Converts decoded OTLP attributes to a JSON object. */
export function toJsonAttributes(attributes: OtlpAttributes): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = toJsonValue(value);
  return out;
}
