// Shared by the coexistence scenarios. Each scenario runs in its own Node process (its own OTel
// globals), loads the library under test from its install under node_modules/.cache/coexist/,
// loads core from its built dist, acts like an app, and prints one JSON line on stdout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const libDir = env('COEXIST_LIB_DIR');
/** Resolves packages the way the app next to the library would (the library's install). */
export const appRequire = createRequire(join(libDir, 'package.json'));

/** `name@version` of an installed package (many do not export their package.json). */
export function installed(name) {
  const manifest = join(libDir, 'node_modules', name, 'package.json');
  return `${name}@${JSON.parse(readFileSync(manifest, 'utf8')).version}`;
}

const coreEntry = new URL('../../../../dist/index.js', import.meta.url);
/** The built @galileo-otel/core. */
export const core = await import(coreEntry.href);
/** The @opentelemetry/api copy core itself loads (the one an adapter would use). */
export const coreApi = createRequire(coreEntry)('@opentelemetry/api');

const warnings = [];
const logger = { warn: (message) => warnings.push(message) };

/** The Galileo processor as the README tells users to add it. */
export function galileoProcessor() {
  return new core.GalileoSpanProcessor({
    apiKey: env('COEXIST_API_KEY'),
    endpoint: env('COEXIST_SINK_URL'),
    project: 'coexist-project',
    logStream: 'coexist-stream',
    scheduledDelayMillis: 60_000,
    logger,
  });
}

/**
 * What an instrumented app does: a span from the global tracer around a real loopback HTTP
 * call, a child span in the server handler, and a span made through core's own API copy.
 * `http` must be loaded after the library set up its instrumentation; `get` is the client
 * the library instruments (node:http by default).
 */
export async function actLikeAnApp(api, http, get = (url) => httpGet(http, url)) {
  const tracer = api.trace.getTracer('coexist-app');
  const server = http.createServer((req, res) => {
    // Without server instrumentation, join the caller's trace as a framework would.
    const active = api.context.active();
    const parent = api.trace.getSpan(active)
      ? active
      : api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    tracer.startActiveSpan('chat model', {}, parent, (span) => {
      span.setAttribute('gen_ai.operation.name', 'chat');
      span.end();
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/ask`;
  const rootTraceId = await tracer.startActiveSpan('ask', async (root) => {
    await get(url);
    root.end();
    return root.spanContext().traceId;
  });
  // Node's keep-alive client would hold the server open for 5 s.
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  coreApi.trace.getTracer('adapter').startSpan('through core api copy').end();
  return rootTraceId;
}

export function httpGet(http, url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

/**
 * Calls registerGalileo() although the library owns the global provider (the mistake the
 * warning is for), then emits one more span from the global tracer.
 */
export async function registerGalileoTooLate(api) {
  const registration = core.registerGalileo({
    apiKey: env('COEXIST_API_KEY'),
    endpoint: env('COEXIST_SINK_URL'),
    project: 'coexist-project',
    logStream: 'late-registration',
    logger,
  });
  api.trace.getTracer('coexist-app').startSpan('after registerGalileo').end();
  return registration;
}

/**
 * The warnings so far, once start-up is over: one macrotask after the library registered its
 * globals, before the app made any span.
 */
export async function startUpWarnings() {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return [...warnings];
}

export function report(result) {
  process.stdout.write(`${JSON.stringify({ ...result, warnings })}\n`);
}
