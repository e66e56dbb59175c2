type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (!isObject(node)) return undefined;
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isObject(node) ? node : undefined;
}

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t.toLowerCase();
  if (Array.isArray(t)) {
    const first = t.find((x) => typeof x === 'string' && x.toLowerCase() !== 'null');
    return typeof first === 'string' ? first.toLowerCase() : 'null';
  }
  if (isObject(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function clampInt(schema: Schema, preferred: number): number {
  let n = preferred;
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  if (min !== undefined && n < min) n = Math.ceil(min);
  if (max !== undefined && n > max) n = Math.floor(max);
  return n;
}

/** Text for a string value, given the name of the property it fills (if any). */
export type StringFor = (name: string | undefined) => string;

interface FillContext {
  root: Schema;
  stringFor: StringFor;
}

/**
 * Builds a value that satisfies a JSON schema (or a Gemini `Schema`, whose types are upper
 * case): strings get `text` (or, with `stringFor`, a text chosen by the property name),
 * numbers a small integer, enums their first value, booleans `false`, arrays one element,
 * objects every declared property (nested objects recursed).
 */
export function fillSchema(schema: unknown, text: string, stringFor?: StringFor): Json {
  const ctx: FillContext = {
    root: isObject(schema) ? schema : {},
    stringFor: stringFor ?? (() => text),
  };
  return fill(schema, ctx, undefined, 0);
}

function fill(schema: unknown, ctx: FillContext, name: string | undefined, depth: number): Json {
  const text = ctx.stringFor(name);
  if (!isObject(schema) || depth > 8) return text;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, ctx.root);
    return target ? fill(target, ctx, name, depth + 1) : text;
  }
  if ('const' in schema) return schema.const as Json;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as Json;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const pick =
        options.find((o) => isObject(o) && typeOf(o) !== 'null' && o.type !== undefined) ??
        options.find((o) => isObject(o) && typeOf(o) !== 'null') ??
        options[0];
      return fill(pick, ctx, name, depth + 1);
    }
  }
  switch (typeOf(schema)) {
    case 'string':
      return text;
    case 'integer':
    case 'number':
      return clampInt(schema, 3);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1;
      const items = Array.isArray(schema.prefixItems) ? schema.prefixItems : undefined;
      if (items) return items.map((item) => fill(item, ctx, name, depth + 1));
      return Array.from({ length: Math.min(min, 5) }, () =>
        fill(schema.items, ctx, name, depth + 1),
      );
    }
    case 'object': {
      const out: Record<string, Json> = {};
      const props = isObject(schema.properties) ? schema.properties : {};
      for (const [key, sub] of Object.entries(props)) {
        out[key] = fill(sub, ctx, key, depth + 1);
      }
      if (Array.isArray(schema.required)) {
        for (const key of schema.required) {
          if (typeof key === 'string' && !(key in out)) out[key] = ctx.stringFor(key);
        }
      }
      return out;
    }
    default:
      return text;
  }
}
