const MAX_DEPTH = 32;

/**
 * JSON for anything: circular references become `"[Circular]"`, BigInt becomes a string,
 * functions and symbols are dropped, Errors keep name and message, Maps and Sets become
 * objects and arrays, byte arrays become a size marker. Never throws.
 */
export function safeJsonStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  const normalise = (input: unknown, depth: number): unknown => {
    if (input === null || input === undefined) return input ?? null;
    switch (typeof input) {
      case 'string':
      case 'boolean':
        return input;
      case 'number':
        return Number.isFinite(input) ? input : String(input);
      case 'bigint':
        return input.toString();
      case 'function':
      case 'symbol':
        return undefined;
    }
    const object = input as object;
    if (seen.has(object)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Too deep]';
    seen.add(object);
    try {
      if (object instanceof Error) {
        return { name: object.name, message: object.message };
      }
      if (ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`;
      if (object instanceof Date)
        return Number.isNaN(object.getTime()) ? null : object.toISOString();
      if (Array.isArray(object)) return object.map((item) => normalise(item, depth + 1) ?? null);
      if (object instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of object) out[String(k)] = normalise(v, depth + 1);
        return out;
      }
      if (object instanceof Set) return [...object].map((item) => normalise(item, depth + 1));
      const toJSON = (object as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return normalise(toJSON.call(object), depth + 1);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(object)) {
        const v = normalise((object as Record<string, unknown>)[key], depth + 1);
        if (v !== undefined) out[key] = v;
      }
      return out;
    } catch {
      return '[Unserializable]';
    } finally {
      seen.delete(object);
    }
  };
  try {
    return JSON.stringify(normalise(value, 0)) ?? 'null';
  } catch {
    return '"[Unserializable]"';
  }
}

/** A string as is; anything else as safe JSON. */
export function toAttributeText(value: unknown): string {
  return typeof value === 'string' ? value : safeJsonStringify(value);
}
