export {
  DEFAULT_DB_PATH,
  DEFAULT_MAX_BODY_BYTES,
  type DevServer,
  type DevServerOptions,
  type IngestStats,
  startDevServer,
} from './start-dev-server.js';
export {
  type InsertResult,
  type JsonValue,
  type ListTracesOptions,
  type SessionDetail,
  type SessionSummary,
  type SpanDestination,
  type StoredEvent,
  type StoredSpan,
  TraceStore,
  type TraceStoreOptions,
  type TraceSummary,
} from './trace-store.js';
