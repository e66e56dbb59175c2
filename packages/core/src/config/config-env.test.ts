import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import { spanNamed, startWireHarness, type WireHarness } from '../test-support/wire-harness.js';
import { describeGalileoConfig, resolveGalileoConfig } from './resolve-config.js';

const KEY = { apiKey: 'k' };
const LOCAL = 'http://127.0.0.1:4318/otel/traces';
const resolve = (
  options: Parameters<typeof resolveGalileoConfig>[0],
  env: Record<string, string>,
) => resolveGalileoConfig({ ...KEY, endpoint: LOCAL, ...options }, env);

function configError(fn: () => unknown): GalileoConfigError {
  try {
    fn();
  } catch (error) {
    if (GalileoConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a GalileoConfigError');
}

describe('routing settings: option, then each variable in order, then the default', () => {
  it.each([
    ['the option', { project: 'opt' }, { GALILEO_PROJECT: 'a', GALILEO_PROJECT_NAME: 'b' }, 'opt'],
    ['GALILEO_PROJECT', {}, { GALILEO_PROJECT: 'a', GALILEO_PROJECT_NAME: 'b' }, 'a'],
    ['GALILEO_PROJECT_NAME', {}, { GALILEO_PROJECT_NAME: 'b' }, 'b'],
    [
      'GALILEO_PROJECT_NAME over a blank GALILEO_PROJECT',
      {},
      { GALILEO_PROJECT: '  ', GALILEO_PROJECT_NAME: 'b' },
      'b',
    ],
    ['the environment over a blank option', { project: ' ' }, { GALILEO_PROJECT: 'a' }, 'a'],
    ['default', {}, {}, 'default'],
  ])('takes the project from %s', (_, options, env, expected) => {
    expect(resolve(options, env).project).toBe(expected);
  });

  it.each([
    [
      'the option',
      { logStream: 'opt' },
      { GALILEO_LOG_STREAM: 'a', GALILEO_LOG_STREAM_NAME: 'b' },
      'opt',
    ],
    ['GALILEO_LOG_STREAM', {}, { GALILEO_LOG_STREAM: 'a', GALILEO_LOG_STREAM_NAME: 'b' }, 'a'],
    ['GALILEO_LOG_STREAM_NAME', {}, { GALILEO_LOG_STREAM_NAME: 'b' }, 'b'],
    ['default', {}, {}, 'default'],
  ])('takes the log stream from %s', (_, options, env, expected) => {
    expect(resolve(options, env).logStream).toBe(expected);
  });

  it('drops the log stream when an experiment id comes from the environment', () => {
    const config = resolve({}, { GALILEO_EXPERIMENT_ID: 'exp-1', GALILEO_LOG_STREAM: 'ls' });
    expect(config.experimentId).toBe('exp-1');
    expect(config.logStream).toBeUndefined();
  });

  it('takes the session id from the option, then GALILEO_SESSION_ID, else none', () => {
    expect(resolve({ sessionId: 'opt' }, { GALILEO_SESSION_ID: 'env' }).sessionId).toBe('opt');
    expect(resolve({}, { GALILEO_SESSION_ID: 'env' }).sessionId).toBe('env');
    expect(resolve({}, {}).sessionId).toBeUndefined();
  });

  it('reports where each routing setting came from, never the API key', () => {
    const described = describeGalileoConfig(
      { apiKey: 'secret-key-123', endpoint: LOCAL },
      { GALILEO_PROJECT_NAME: 'p', GALILEO_LOG_STREAM_NAME: 'l', GALILEO_SESSION_ID: 's' },
    );
    const by = Object.fromEntries(described.map((d) => [d.setting, d]));
    expect(by.project).toEqual({
      setting: 'project',
      value: 'p',
      source: 'env:GALILEO_PROJECT_NAME',
    });
    expect(by.logStream).toEqual({
      setting: 'logStream',
      value: 'l',
      source: 'env:GALILEO_LOG_STREAM_NAME',
    });
    expect(by.sessionId?.source).toBe('env:GALILEO_SESSION_ID');
    expect(by.apiKey).toEqual({ setting: 'apiKey', value: '(set)', source: 'option' });
    expect(JSON.stringify(described)).not.toContain('secret-key-123');
  });
});

describe('batching settings from OTEL_BSP_*', () => {
  const BSP = {
    OTEL_BSP_MAX_QUEUE_SIZE: '100',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
    OTEL_BSP_SCHEDULE_DELAY: '250',
    OTEL_BSP_EXPORT_TIMEOUT: '7000',
  };

  it('reads every OTEL_BSP_* variable', () => {
    expect(resolve({}, BSP)).toMatchObject({
      maxQueueSize: 100,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 250,
      exportTimeoutMillis: 7000,
    });
  });

  it('lets options win over OTEL_BSP_* variables', () => {
    const config = resolve(
      { maxQueueSize: 50, maxExportBatchSize: 5, scheduledDelayMillis: 1, exportTimeoutMillis: 2 },
      BSP,
    );
    expect(config).toMatchObject({
      maxQueueSize: 50,
      maxExportBatchSize: 5,
      scheduledDelayMillis: 1,
      exportTimeoutMillis: 2,
    });
  });

  it('clamps the batch size to the queue size, as the OTel SDK does', () => {
    const config = resolve(
      {},
      { OTEL_BSP_MAX_QUEUE_SIZE: '8', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64' },
    );
    expect(config.maxExportBatchSize).toBe(8);
  });

  it.each(['0', '-3', '1.5', 'lots'])(
    'rejects OTEL_BSP_SCHEDULE_DELAY=%s naming the variable',
    (raw) => {
      const error = configError(() => resolve({}, { OTEL_BSP_SCHEDULE_DELAY: raw }));
      expect(error.setting).toBe('OTEL_BSP_SCHEDULE_DELAY');
      expect(error.message).toMatch(/OTEL_BSP_SCHEDULE_DELAY must be a positive integer/);
    },
  );

  it('takes the export mode and compression from the environment, in the documented order', () => {
    expect(resolve({}, { GALILEO_EXPORT_MODE: 'IMMEDIATE' }).exportMode).toBe('immediate');
    expect(
      resolve(
        {},
        { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' },
      ).compression,
    ).toBe('gzip');
    expect(resolve({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).compression).toBe('gzip');
    expect(configError(() => resolve({}, { GALILEO_EXPORT_MODE: 'lazy' })).setting).toBe(
      'GALILEO_EXPORT_MODE',
    );
  });

  it('takes the gzip level from the option, then GALILEO_COMPRESSION_LEVEL, then 4', () => {
    expect(resolve({}, {}).compressionLevel).toBe(4);
    expect(resolve({}, { GALILEO_COMPRESSION_LEVEL: ' 9 ' }).compressionLevel).toBe(9);
    expect(
      resolve({ compressionLevel: 1 }, { GALILEO_COMPRESSION_LEVEL: '9' }).compressionLevel,
    ).toBe(1);
  });

  it.each(['0', '10', '4.5', 'fast'])(
    'refuses GALILEO_COMPRESSION_LEVEL=%s at start-up, naming the variable and the range',
    (raw) => {
      const error = configError(() => resolve({}, { GALILEO_COMPRESSION_LEVEL: raw }));
      expect(error.setting).toBe('GALILEO_COMPRESSION_LEVEL');
      expect(error.message).toMatch(
        /GALILEO_COMPRESSION_LEVEL must be an integer from 1 to 9, got .*; unset it or set e\.g\. GALILEO_COMPRESSION_LEVEL=4/,
      );
    },
  );

  it.each([0, 10, 2.5, Number.NaN])('refuses the compressionLevel option %s', (level) => {
    const error = configError(() => resolve({ compressionLevel: level }, {}));
    expect(error.setting).toBe('compressionLevel');
    expect(error.message).toMatch(/`compressionLevel` option must be an integer from 1 to 9/);
  });
});

describe('the headers option', () => {
  it.each(['Galileo-API-Key', 'project', 'ProjectId', 'LOGSTREAM', 'logstreamid', 'experimentid'])(
    'refuses to let %s replace a Galileo header',
    (name) => {
      const error = configError(() => resolve({ headers: { [name]: 'x' } }, {}));
      expect(error.setting).toBe('headers');
      expect(error.message).toContain(name);
    },
  );
});

describe('environment settings on the wire', () => {
  let sink: OtlpSink;
  const open: WireHarness[] = [];
  beforeAll(async () => {
    sink = await startOtlpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => sink.clear());
  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(
      open.splice(0).map(async (h) => {
        await h.provider.shutdown();
      }),
    );
  });

  /** A pipeline configured only by the environment (no project, log stream or batching options). */
  async function fromEnv(env: Record<string, string>, options = {}) {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const harness = await startWireHarness(
      { project: undefined, logStream: undefined, ...options },
      sink,
    );
    open.push(harness);
    return harness;
  }

  it('routes by GALILEO_PROJECT_NAME and GALILEO_LOG_STREAM_NAME and stamps GALILEO_SESSION_ID', async () => {
    const { tracer, flushSpans } = await fromEnv({
      GALILEO_PROJECT: '',
      GALILEO_PROJECT_NAME: 'env-project',
      GALILEO_LOG_STREAM: '',
      GALILEO_LOG_STREAM_NAME: 'env-stream',
      GALILEO_SESSION_ID: 'env-session',
    });
    tracer.startSpan('routed-by-env').end();
    const span = spanNamed(await flushSpans(), 'routed-by-env');
    expect(sink.requests[0]?.headers).toMatchObject({
      project: 'env-project',
      logstream: 'env-stream',
    });
    expect(span.attributes).toMatchObject({
      'galileo.session.id': 'env-session',
      'session.id': 'env-session',
      'gen_ai.conversation.id': 'env-session',
    });
    expect(span.resource).toMatchObject({
      'galileo.project.name': 'env-project',
      'galileo.logstream.name': 'env-stream',
      'galileo.session.id': 'env-session',
    });
  });

  it('sends requests no larger than OTEL_BSP_MAX_EXPORT_BATCH_SIZE', async () => {
    const { tracer, flushSpans } = await fromEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' });
    for (let i = 0; i < 5; i++) tracer.startSpan(`b${i}`).end();
    expect(await flushSpans()).toHaveLength(5);
    expect(sink.requests.map((r) => r.spans.length).sort()).toEqual([1, 2, 2]);
  });

  it('exports on its own after OTEL_BSP_SCHEDULE_DELAY, without a flush', async () => {
    const { tracer } = await fromEnv({ OTEL_BSP_SCHEDULE_DELAY: '40' });
    tracer.startSpan('on-schedule').end();
    expect(sink.spans()).toHaveLength(0);
    await vi.waitFor(() => expect(sink.spans().map((s) => s.name)).toEqual(['on-schedule']), {
      timeout: 4000, // still under the 5 s default delay it must not be waiting for
      interval: 10,
    });
  });

  it('drops what does not fit in OTEL_BSP_MAX_QUEUE_SIZE', async () => {
    const { processor, tracer, flushSpans } = await fromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: '3' });
    // Two slow requests hold 3 spans each (the batch size is clamped to the queue size); 3 more
    // wait in the queue and the rest are dropped.
    sink.script({ status: 200, delayMs: 100 }, { status: 200, delayMs: 100 });
    for (let i = 0; i < 12; i++) tracer.startSpan(`q${i}`).end();
    expect(processor.stats()).toMatchObject({ spansQueued: 9, spansDropped: 3, queueLength: 3 });
    expect(await flushSpans()).toHaveLength(9);
  });

  it('adds the extra headers to every export request, keeping the protobuf content type', async () => {
    const { tracer, flushSpans } = await fromEnv(
      {},
      {
        headers: { 'X-Gateway-Token': 'gw-123', 'content-type': 'text/plain' },
        maxExportBatchSize: 1,
      },
    );
    tracer.startSpan('h1').end();
    tracer.startSpan('h2').end();
    await flushSpans();
    expect(sink.requests).toHaveLength(2);
    for (const request of sink.requests) {
      expect(request.headers['x-gateway-token']).toBe('gw-123');
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(request.headers['galileo-api-key']).toBeDefined();
    }
  });

  it.each([
    ['a name that is not an HTTP token', { 'bad header': 'x' }],
    ['a value with a line break', { 'x-token': 'a\r\nInjected: 1' }],
  ])('refuses at start-up an extra header with %s', async (_, headers) => {
    let caught: unknown;
    try {
      await fromEnv({}, { headers });
    } catch (error) {
      caught = error;
    }
    expect(GalileoConfigError.isInstance(caught)).toBe(true);
    expect((caught as GalileoConfigError).setting).toBe('headers');
    expect(String(caught)).toContain(Object.keys(headers)[0]);
  });
});
