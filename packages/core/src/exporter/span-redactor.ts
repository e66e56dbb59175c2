import {
  type Attributes,
  type AttributeValue,
  createTraceState,
  type Link,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { TimedEvent } from '@opentelemetry/sdk-trace';
import {
  isSecretKey,
  REDACTED,
  type RedactFunction,
  redactSecretText,
} from '../redaction/redact.js';

// What an attribute key means for its value: nothing, its value is replaced (the key names a
// secret, with `redactSecrets`), or the attribute is renamed (the key contains the API key).
const PLAIN_KEY = 0;
const SECRET_NAME_KEY = 1;
const API_KEY_KEY = 2;
type KeyKind = typeof PLAIN_KEY | typeof SECRET_NAME_KEY | typeof API_KEY_KEY;

// What is remembered per attribute key: its kind, and the last short string value cleaned under
// it with the result. Values repeat from span to span (models, operations, tool names, service
// context), and a repeat then costs one comparison instead of the secret filter's scans.
interface KeyState {
  kind: KeyKind;
  text: string | undefined;
  cleaned: string;
}

// Real Galileo keys are long; scrubbing a one-letter placeholder key would shred ordinary text.
const MIN_SCRUBBED_KEY_LENGTH = 4;
// Distinct attribute keys whose kind is remembered (apps use tens to a few hundred), and the
// longest key remembered, so the cache stays small in bytes too.
const KEY_KIND_LIMIT = 4096;
const KEY_KIND_MAX_KEY_LENGTH = 256;
// Longest value remembered per key (so the cache holds at most ~4096 short strings).
const REMEMBERED_TEXT_LENGTH = 256;
// Resource attributes describe the process, not one span, so the redact hook sees no span name.
const RESOURCE_SPAN_NAME = '';

/** Settings of the redaction stage. */
export interface RedactorSettings {
  /** The API key, scrubbed from everything whatever `redactSecrets` says. */
  apiKey: string;
  /** Apply the built-in secret filter. */
  redactSecrets: boolean;
  /** Longest string attribute value, in characters. */
  maxAttributeLength: number;
  /** The user's own redaction, run after the built-in filter. */
  redact: RedactFunction | undefined;
  /** Called when the user's redact hook throws (the value is dropped, fail closed). */
  onHookError: (error: unknown) => void;
}

/**
 * The redaction stage: every exported string (attributes of spans, events, links and
 * resources; span, event and scope names; status messages; trace state) goes through the
 * built-in secret filter, the length cap and the user's hook, and never carries the API key.
 * Per-key decisions and cleaned resources and scopes are remembered, bounded.
 */
export class SpanRedactor {
  readonly #apiKey: string | undefined;
  readonly #secrets: string[];
  readonly #redactSecrets: boolean;
  readonly #max: number;
  readonly #redact: RedactFunction | undefined;
  readonly #onHookError: (error: unknown) => void;
  readonly #keys = new Map<string, KeyState>();
  readonly #cleanResources = new WeakMap<Resource, Resource>();
  readonly #cleanScopes = new WeakMap<InstrumentationScope, InstrumentationScope>();

  constructor(settings: RedactorSettings) {
    this.#apiKey = settings.apiKey.length >= MIN_SCRUBBED_KEY_LENGTH ? settings.apiKey : undefined;
    this.#secrets = this.#apiKey ? [this.#apiKey] : [];
    this.#redactSecrets = settings.redactSecrets;
    this.#max = settings.maxAttributeLength;
    this.#redact = settings.redact;
    this.#onHookError = settings.onHookError;
  }

  /** The secrets every log line must be scrubbed of too. */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  // The key is scrubbed whatever `redactSecrets` says: that switch is for the heuristic filter,
  // and the key is the one secret the exporter knows for certain.
  /** A name (span, event, scope) without the API key. */
  scrubKey(text: string): string {
    const key = this.#apiKey;
    return key !== undefined && text.includes(key) ? text.split(key).join(REDACTED) : text;
  }

  /** A status whose message went through the filter (no length cap: it is short by nature). */
  status(status: SpanStatus): SpanStatus {
    const message = status.message;
    if (!message) return status;
    const cleaned = this.#cleanText(message, Number.POSITIVE_INFINITY);
    return cleaned === message ? status : { ...status, message: cleaned };
  }

  /**
   * Attributes as they may be exported; the same object when nothing changed. `keys` are
   * `Object.keys(attributes)` when the caller has them already.
   */
  attributes(
    attributes: Attributes,
    spanName: string,
    keys: readonly string[] = Object.keys(attributes),
  ): Attributes {
    let out: Attributes | undefined;
    // Object.keys, not for-in: SDK attribute objects are in dictionary mode (built key by key),
    // where for-in re-checks every key it yields.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const value = attributes[key];
      if (value === undefined) continue;
      const state = this.#keyState(key);
      const kind = state.kind;
      if (kind === API_KEY_KEY) {
        // A secret used as an attribute *name*: rename it rather than ship the key.
        out ??= { ...attributes };
        delete out[key];
        out[redactSecretText(key, this.#secrets)] = REDACTED;
        continue;
      }
      let next: AttributeValue | undefined = value;
      if (kind === SECRET_NAME_KEY) next = REDACTED;
      else if (typeof value === 'string') {
        if (value === state.text) next = state.cleaned;
        else {
          const cleaned = this.#cleanText(value, this.#max);
          if (value.length <= REMEMBERED_TEXT_LENGTH) {
            state.text = value;
            state.cleaned = cleaned;
          }
          next = cleaned;
        }
      } else if (Array.isArray(value)) next = this.#cleanArray(value);
      if (this.#redact && next !== undefined) {
        try {
          next = this.#redact(key, next, { name: spanName });
        } catch (error) {
          next = REDACTED;
          this.#onHookError(error);
        }
      }
      if (next !== value) {
        out ??= { ...attributes };
        if (next === undefined) delete out[key];
        else out[key] = next;
      }
    }
    return out ?? attributes;
  }

  // Events and links carry attributes of their own, events a name and links a trace state:
  // cleaned like the span's.
  /** Events or links as they may be exported; the same array when nothing changed. */
  parts<T extends TimedEvent | Link>(parts: T[], spanName: string): T[] {
    if (parts.length === 0) return parts;
    let changed = false;
    const cleaned = parts.map((part) => {
      const original = 'name' in part ? part.name : undefined;
      const name = original === undefined ? undefined : this.scrubKey(original);
      const attributes = part.attributes && this.attributes(part.attributes, spanName);
      const linked = 'context' in part ? part.context : undefined;
      const context = linked && this.context(linked);
      if (name === original && attributes === part.attributes && context === linked) return part;
      changed = true;
      const out: T = { ...part, attributes };
      if (name !== undefined) (out as TimedEvent).name = name;
      if (context !== undefined) (out as Link).context = context;
      return out;
    });
    return changed ? cleaned : parts;
  }

  // A library may put anything in `tracestate`, the API key included: members that carry it are
  // left out (the key cannot be cut out of a member and leave it meaningful).
  /** A span context whose trace state does not carry the API key. */
  context(spanContext: SpanContext): SpanContext {
    const state = spanContext.traceState;
    const key = this.#apiKey;
    if (state === undefined || key === undefined) return spanContext;
    const serialized = state.serialize();
    if (!serialized.includes(key)) return spanContext;
    const kept = serialized
      .split(',')
      .filter((member) => !member.includes(key))
      .join(',');
    return { ...spanContext, traceState: createTraceState(kept) };
  }

  /** An instrumentation scope without the API key; scrubbed once per scope object. */
  scope(scope: InstrumentationScope): InstrumentationScope {
    if (this.#apiKey === undefined) return scope;
    let clean = this.#cleanScopes.get(scope);
    if (!clean) {
      const name = this.scrubKey(scope.name);
      const version = scope.version === undefined ? undefined : this.scrubKey(scope.version);
      const schemaUrl = scope.schemaUrl === undefined ? undefined : this.scrubKey(scope.schemaUrl);
      clean =
        name === scope.name && version === scope.version && schemaUrl === scope.schemaUrl
          ? scope
          : { name, version, schemaUrl };
      this.#cleanScopes.set(scope, clean);
    }
    return clean;
  }

  /**
   * A resource as it may be exported. Redacted once per Resource object (every span of a
   * provider shares it), unless `final` is false: the redacted copy of a resource still detecting
   * attributes is a snapshot and is rebuilt next time.
   */
  resource(base: Resource, final: boolean): Resource {
    const known = this.#cleanResources.get(base);
    if (known) return known;
    const attributes = base.attributes;
    const cleaned = this.attributes(attributes, RESOURCE_SPAN_NAME);
    const out =
      cleaned === attributes
        ? base
        : resourceFromAttributes(cleaned, base.schemaUrl ? { schemaUrl: base.schemaUrl } : {});
    if (final) this.#cleanResources.set(base, out);
    return out;
  }

  // What a key asks of its value. Keys repeat on every span, so the answer is remembered, in a
  // map cleared when full: a bounded cache that only ever holds answers the rules would give.
  #keyState(key: string): KeyState {
    let state = this.#keys.get(key);
    if (state === undefined) {
      let kind: KeyKind = PLAIN_KEY;
      if (this.#apiKey !== undefined && key.includes(this.#apiKey)) kind = API_KEY_KEY;
      else if (this.#redactSecrets && isSecretKey(key)) kind = SECRET_NAME_KEY;
      state = { kind, text: undefined, cleaned: '' };
      if (key.length <= KEY_KIND_MAX_KEY_LENGTH) {
        if (this.#keys.size >= KEY_KIND_LIMIT) this.#keys.clear();
        this.#keys.set(key, state);
      }
    }
    return state;
  }

  #cleanArray(value: readonly unknown[]): AttributeValue {
    let cleaned: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'string') continue;
      const c = this.#cleanText(item, this.#max);
      if (c === item) continue;
      cleaned ??= value.slice();
      cleaned[i] = c;
    }
    return (cleaned ?? value) as AttributeValue;
  }

  #cleanText(text: string, max: number): string {
    let out = this.#redactSecrets ? redactSecretText(text, this.#secrets) : this.scrubKey(text);
    if (out.length > max) {
      out = `${out.slice(0, max)}…[truncated ${out.length - max} chars]`;
    }
    return out;
  }
}
