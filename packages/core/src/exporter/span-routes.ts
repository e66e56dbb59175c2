import type { Attributes } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { GalileoAttributes as G, SplunkAoAttributes as S } from '../attributes/attribute-names.js';
import type { DestinationRouting, RoutingFamily } from '../config/resolve-destination.js';

/** Where a span goes: its routing, its headers, and the key that groups spans going there. */
export interface Route extends DestinationRouting {
  /** Groups spans that share one request. */
  key: string;
  /** The routing headers of that request. */
  routing: Record<string, string>;
}

// Merged resources of one base resource, by route key then session id; `size` counts both.
interface ResourceCache {
  size: number;
  byRoute: Map<string, Map<string, Resource>>;
}

// Merged resources kept per base resource (route and session pairs), so sessions cannot grow it.
const RESOURCE_CACHE_LIMIT = 1001;

const FAMILIES = {
  galileo: {
    project: G.PROJECT,
    projectId: G.PROJECT_ID,
    logStream: G.LOG_STREAM,
    logStreamId: G.LOG_STREAM_ID,
    experimentId: G.EXPERIMENT_ID,
  },
  splunk_ao: {
    project: S.PROJECT,
    projectId: S.PROJECT_ID,
    logStream: S.LOG_STREAM,
    logStreamId: S.LOG_STREAM_ID,
    experimentId: S.EXPERIMENT_ID,
  },
} as const;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** A routing key a span set itself, in either attribute family (`galileo.*` first). */
function own(attributes: Attributes, field: keyof typeof FAMILIES.galileo): string | undefined {
  return text(attributes[FAMILIES.galileo[field]]) ?? text(attributes[FAMILIES.splunk_ao[field]]);
}

/**
 * Routing: which project and log stream (or experiment), by name or id, each span goes to (from
 * its own `galileo.*` or `splunk_ao.*` attributes, else the destination's defaults), the headers
 * of its request, and the Resource it is exported with, which carries that routing in the
 * destination's attribute family (the ingest reads the Resource before the headers) and, for
 * Galileo, the session.
 */
export class SpanRoutes {
  readonly #defaults: DestinationRouting;
  readonly #family: RoutingFamily;
  readonly #resources = new WeakMap<Resource, ResourceCache>();
  #last: Route | undefined;

  constructor(defaults: DestinationRouting, family: RoutingFamily) {
    this.#defaults = defaults;
    this.#family = family;
  }

  /** The route of a span with these (already cleaned) attributes. */
  routeOf(attributes: Attributes): Route {
    const defaults = this.#defaults;
    const projectName = own(attributes, 'project');
    const projectId = projectName ? undefined : own(attributes, 'projectId');
    const project =
      projectName || projectId
        ? { project: projectName, projectId }
        : { project: defaults.project, projectId: defaults.projectId };
    // A configured experiment takes every span; a span's own experiment takes that span.
    const experimentId = own(attributes, 'experimentId') ?? defaults.experimentId;
    let logStream: string | undefined;
    let logStreamId: string | undefined;
    if (!experimentId) {
      const streamName = own(attributes, 'logStream');
      const streamId = streamName ? undefined : own(attributes, 'logStreamId');
      if (streamName || streamId) {
        logStream = streamName;
        logStreamId = streamId;
      } else {
        logStream = defaults.logStream;
        logStreamId = defaults.logStreamId;
      }
    }
    // Spans of one app nearly always route alike: reusing the last route saves building and
    // hashing its key per span. The routing headers are read, never changed, so it is shared.
    const last = this.#last;
    if (
      last !== undefined &&
      last.project === project.project &&
      last.projectId === project.projectId &&
      last.experimentId === experimentId &&
      last.logStream === logStream &&
      last.logStreamId === logStreamId
    ) {
      return last;
    }
    const routing: Record<string, string> = {};
    if (project.project) routing.project = project.project;
    else if (project.projectId) routing.projectid = project.projectId;
    if (experimentId) routing.experimentid = experimentId;
    else if (logStream) routing.logstream = logStream;
    else if (logStreamId) routing.logstreamid = logStreamId;
    const key = [project.project, project.projectId, experimentId, logStream, logStreamId]
      .map((part) => part ?? '')
      .join('\u0000');
    const route: Route = { ...project, experimentId, logStream, logStreamId, key, routing };
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
    merged = clean().merge(resourceFromAttributes(this.#resourceAttributes(route, sessionId)));
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

  #resourceAttributes(route: Route, sessionId: string | undefined): Attributes {
    const keys = FAMILIES[this.#family];
    const extra: Attributes = {};
    if (route.project) extra[keys.project] = route.project;
    else if (route.projectId) extra[keys.projectId] = route.projectId;
    if (route.experimentId) extra[keys.experimentId] = route.experimentId;
    else if (route.logStream) extra[keys.logStream] = route.logStream;
    else if (route.logStreamId) extra[keys.logStreamId] = route.logStreamId;
    if (sessionId && this.#family === 'galileo') extra[G.SESSION_ID] = sessionId;
    return extra;
  }
}
