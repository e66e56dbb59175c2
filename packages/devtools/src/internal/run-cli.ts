import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DestinationKind } from '@galileo-otel/core';
import { DEFAULT_DB_PATH, startDevServer } from '../start-dev-server.js';
import { TraceStore } from '../trace-store.js';
import { formatDoctorReport, runDoctor } from './doctor.js';
import {
  formatSession,
  formatSessionList,
  formatTraceList,
  formatTraceTree,
  type Style,
} from './format-trace.js';
import { terminalJson, terminalText } from './terminal-text.js';

/** Where the CLI reads and writes; injectable for tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean | undefined };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Stops `dev`; the binary wires SIGINT/SIGTERM to it. */
  signal?: AbortSignal | undefined;
  /** Called with the server once `dev` listens (tests use it). */
  onListening?: ((url: string) => void) | undefined;
}

const USAGE = `galileo-otel: a local Galileo for OpenTelemetry traces

Usage:
  galileo-otel dev [--port 4318] [--host 127.0.0.1] [--db FILE] [--api-key KEY]
      Run the Galileo-compatible OTLP receiver and the live viewer.
  galileo-otel traces [--db FILE] [--project P] [--logstream L] [--limit N] [--json]
      List recent traces from the database.
  galileo-otel trace <id|latest> [--db FILE] [--json]
      Print one trace as a tree with kinds and services.
  galileo-otel sessions [<id>] [--db FILE] [--limit N] [--json]
      List sessions (conversations across services), or one session's traces in time order.
  galileo-otel doctor [--destination D] [--endpoint URL] [--timeout MS] [--no-probe] [--json]
      Show the destination (galileo, splunk-ao or splunk-o11y), its endpoint and auth header and
      where each setting came from, probe the endpoint, find duplicate @opentelemetry/api.

traces, trace and sessions read the SQLite file directly (default
${DEFAULT_DB_PATH}), so they work whether or not the server is running.
`;

function styleFor(io: CliIo, json: boolean): Style {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return { color: !json && !noColor && io.stdout.isTTY === true };
}

/** `--db` as SQLite takes it: `:memory:` is an in-memory database, anything else a file path. */
function dbPath(io: CliIo, db: string | undefined): string {
  return db === ':memory:' ? db : resolve(io.cwd, db ?? DEFAULT_DB_PATH);
}

/** Opens the store read-only, or says in one line why not. */
function openStore(io: CliIo, db: string | undefined): TraceStore | undefined {
  const path = dbPath(io, db);
  if (path !== ':memory:' && !existsSync(path)) {
    io.stderr.write(
      `No trace database at ${path}. Start the receiver with \`galileo-otel dev\` (or pass --db).\n`,
    );
    return undefined;
  }
  try {
    return new TraceStore(path, { readOnly: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    io.stderr.write(
      code === 'ERR_NOT_A_TRACE_STORE'
        ? `${message} Pass --db the file \`galileo-otel dev\` writes (default ${DEFAULT_DB_PATH}).\n`
        : `Cannot read ${path}: ${message}\n`,
    );
    return undefined;
  }
}

async function dev(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '4318' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`--port must be a port number, got ${values.port}\n`);
    return 2;
  }
  const path = dbPath(io, values.db);
  const server = await startDevServer({
    port,
    host: values.host,
    dbPath: path,
    apiKey: values['api-key'],
  });
  io.stdout.write(
    [
      'Local Galileo is running.',
      `  Viewer:   ${server.url}/`,
      `  OTLP:     ${server.otlpUrl}  (Galileo-API-Key; protobuf only)`,
      `            ${server.url}/otel/v1/traces  (Galileo-API-Key or Splunk-AO-API-Key)`,
      `            ${server.url}/v2/trace/otlp  (X-SF-Token, as Splunk Observability Cloud)`,
      `  Database: ${path === ':memory:' ? ':memory: (in memory, gone when dev stops)' : path}`,
      `  API key:  ${values['api-key'] ? 'pinned by --api-key' : 'any non-empty value'}`,
      '',
      'Point an exporter at it as any of the three destinations (the last as processor options):',
      `  GALILEO_API_ENDPOINT=${server.otlpUrl} GALILEO_API_KEY=local`,
      `  SPLUNK_AO_API_URL=${server.url} SPLUNK_AO_API_KEY=local`,
      `  { destination: 'splunk-o11y', endpoint: '${server.url}/v2/trace/otlp', apiKey: 'local' }`,
      '',
    ].join('\n'),
  );
  io.onListening?.(server.url);
  await new Promise<void>((done) => {
    if (io.signal?.aborted) done();
    io.signal?.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  return 0;
}

function traces(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      project: { type: 'string' },
      logstream: { type: 'string' },
      limit: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
  const store = openStore(io, values.db);
  if (!store) return 1;
  try {
    const list = store.listTraces({
      project: values.project,
      logStream: values.logstream,
      limit: Number(values.limit) || 20,
    });
    io.stdout.write(
      values.json
        ? `${terminalJson(list)}\n`
        : formatTraceList(list, styleFor(io, false), Date.now()),
    );
    return 0;
  } finally {
    store.close();
  }
}

function traceCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { db: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const wanted = positionals[0];
  if (!wanted) {
    io.stderr.write('Usage: galileo-otel trace <id|latest> [--db FILE] [--json]\n');
    return 2;
  }
  const store = openStore(io, values.db);
  if (!store) return 1;
  try {
    const id = wanted === 'latest' ? store.latestTraceId() : wanted.toLowerCase();
    const spans = id ? store.getTrace(id) : [];
    if (!id || spans.length === 0) {
      io.stderr.write(
        wanted === 'latest' ? 'No traces stored yet.\n' : `Trace ${wanted} not found.\n`,
      );
      return 1;
    }
    io.stdout.write(
      values.json
        ? `${terminalJson({ traceId: id, spans })}\n`
        : formatTraceTree(id, spans, styleFor(io, false)),
    );
    return 0;
  } finally {
    store.close();
  }
}

function sessions(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      limit: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
  const store = openStore(io, values.db);
  if (!store) return 1;
  try {
    const wanted = positionals[0];
    if (wanted === undefined) {
      const list = store.listSessions({ limit: Number(values.limit) || 20 });
      io.stdout.write(
        values.json ? `${terminalJson(list)}\n` : formatSessionList(list, styleFor(io, false)),
      );
      return 0;
    }
    const session = store.getSession(wanted);
    if (!session) {
      io.stderr.write(`Session ${terminalText(JSON.stringify(wanted))} not found.\n`);
      return 1;
    }
    io.stdout.write(
      values.json ? `${terminalJson(session)}\n` : formatSession(session, styleFor(io, false)),
    );
    return 0;
  } finally {
    store.close();
  }
}

async function doctor(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      destination: { type: 'string' },
      endpoint: { type: 'string' },
      timeout: { type: 'string', default: '3000' },
      'no-probe': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const report = await runDoctor({
    cwd: io.cwd,
    env: io.env,
    endpoint: values.endpoint,
    // An unknown name is reported by the resolver, naming the three it takes.
    destination: values.destination as DestinationKind | undefined,
    timeoutMs: Number(values.timeout) || 3000,
    probe: !values['no-probe'],
  });
  if (values.json) {
    io.stdout.write(`${terminalJson(report)}\n`);
  } else {
    const style = styleFor(io, false);
    const mark = (ok: boolean): string =>
      style.color ? (ok ? '\u001b[32m✓\u001b[0m' : '\u001b[31m✗\u001b[0m') : ok ? '[ok]' : '[!!]';
    io.stdout.write(formatDoctorReport(report, mark));
  }
  return report.ok ? 0 : 1;
}

/** Runs the `galileo-otel` command line; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'dev':
        return await dev(rest, io);
      case 'traces':
        return traces(rest, io);
      case 'trace':
        return traceCommand(rest, io);
      case 'sessions':
        return sessions(rest, io);
      case 'doctor':
        return await doctor(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (code === 'ERR_NOT_A_TRACE_STORE') {
      io.stderr.write(`${(error as Error).message} Pass --db a new file or a trace store.\n`);
      return 1;
    }
    if (code === 'EADDRINUSE') {
      io.stderr.write(`${(error as Error).message}: is another galileo-otel dev running?\n`);
      return 1;
    }
    throw error;
  }
}
