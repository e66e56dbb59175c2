import type { Attributes } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';

/** Where a span goes: its routing headers, and the key that groups spans going there. */
export interface Route {
  /** Project name. */
  project: string;
  /** Log stream name (absent in experiment mode). */
  logStream: string | undefined;
  /** Experiment id, if any. */
  experimentId: string | undefined;
  /** Groups spans that share one request. */
  key: string;
  /** The routing headers of that request. */
  routing: Record<string, string>;
}

/** The routing a span gets when it carries none of its own. */
export interface RouteDefaults {
  project: string;
  logStream: string | undefined;
  experimentId: string | undefined;
}

// Merged resources of one base resource, by route key then session id; `size` counts both.
interface ResourceCache {
  size: number;
  byRoute: Map<string, Map<string, Resource>>;
}

// Merged resources kept per base resource (route and session pairs), so sessions cannot grow it.
const RESOURCE_CACHE_LIMIT = 1001;

function stringOr<T extends string | undefined>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value ? value : fallback;
}

/**
 * Routing: which project and log stream (or experiment) each span goes to, from its own
 * `galileo.*` attributes or the defaults, and the Resource it is exported with, which carries
 * that routing (Galileo reads the Resource before the headers) and the session.
 */
export class SpanRoutes {
  readonly #defaults: RouteDefaults;
  readonly #resources = new WeakMap<Resource, ResourceCache>();
  #last: Route | undefined;

  constructor(defaults: RouteDefaults) {
    this.#defaults = defaults;
  }

  /** The route of a span with these (already cleaned) attributes. */
  routeOf(attributes: Attributes): Route {
    const defaults = this.#defaults;
    const project = stringOr(attributes[G.PROJECT], defaults.project);
    const experimentId = stringOr(attributes[G.EXPERIMENT_ID], defaults.experimentId);
    const logStream = experimentId
      ? undefined
      : stringOr(attributes[G.LOG_STREAM], defaults.logStream);
    // Spans of one app nearly always route alike: reusing the last route saves building and
    // hashing its key per span. The routing headers are read, never changed, so it is shared.
    const last = this.#last;
    if (
      last !== undefined &&
      last.project === project &&
      last.logStream === logStream &&
      last.experimentId === experimentId
    ) {
      return last;
    }
    const routing: Record<string, string> = { project };
    if (experimentId) routing.experimentid = experimentId;
    else routing.logstream = logStream ?? 'default';
    const key = `${project}\u0000${logStream ?? ''}\u0000${experimentId ?? ''}`;
    const route = { project, logStream, experimentId, key, routing };
    this.#last = route;
    return route;
  }

  /**
   * The Resource a span is exported with: `clean()` (its redacted base, asked for only when not
   * cached) merged with the route and session. Cached per base resource when `final` (its
   * attributes will not change any more).
   */
  resourceFor(
    base: Resource,
    clean: () => Resource,
    final: boolean,
    route: Route,
    sessionId: string | undefined,
  ): Resource {
    let cache = this.#resources.get(base);
    if (!cache) {
      cache = { size: 0, byRoute: new Map() };
      this.#resources.set(base, cache);
    }
    // Two levels, so no per-span key string is built: by route, then by session.
    const sessionKey = sessionId ?? '';
    let merged = cache.byRoute.get(route.key)?.get(sessionKey);
    if (merged) return merged;
    const extra: Attributes = { [G.PROJECT]: route.project };
    if (route.experimentId) extra[G.EXPERIMENT_ID] = route.experimentId;
    else if (route.logStream) extra[G.LOG_STREAM] = route.logStream;
    if (sessionId) extra[G.SESSION_ID] = sessionId;
    merged = clean().merge(resourceFromAttributes(extra));
    if (final) {
      if (cache.size >= RESOURCE_CACHE_LIMIT) {
        cache.byRoute.clear();
        cache.size = 0;
      }
      let bySession = cache.byRoute.get(route.key);
      if (!bySession) {
        bySession = new Map();
        cache.byRoute.set(route.key, bySession);
      }
      bySession.set(sessionKey, merged);
      cache.size++;
    }
    return merged;
  }
}
