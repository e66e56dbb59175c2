import { describe, expect, it } from 'vitest';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import { resolveDestination } from './resolve-destination.js';

type Env = Record<string, string>;

function failure(env: Env, options = {}): GalileoConfigError {
  try {
    resolveDestination(options, env);
  } catch (error) {
    if (GalileoConfigError.isInstance(error)) return error as GalileoConfigError;
    throw error;
  }
  throw new Error('expected a GalileoConfigError');
}

describe('resolveDestination: which destination', () => {
  it('keeps the seed contract by default, exactly as before', () => {
    expect(resolveDestination({}, {})).toEqual({
      kind: 'galileo',
      endpoint: 'https://api.galileo.ai/otel/traces',
      authHeader: 'Galileo-API-Key',
      routingFamily: 'galileo',
      routing: {
        project: 'default',
        projectId: undefined,
        experimentId: undefined,
        logStream: 'default',
        logStreamId: undefined,
      },
      sources: { kind: 'default', endpoint: 'default', project: 'default', logStream: 'default' },
    });
  });

  it('detects Splunk AO standalone from SPLUNK_AO_* and says which variable decided', () => {
    const d = resolveDestination(
      {},
      {
        SPLUNK_AO_API_KEY: 'k',
        SPLUNK_AO_CONSOLE_URL: 'https://console.multitenant.galileocloud.io',
      },
    );
    expect(d).toMatchObject({
      kind: 'splunk-ao',
      endpoint: 'https://api.multitenant.galileocloud.io/otel/v1/traces',
      authHeader: 'Splunk-AO-API-Key',
      routingFamily: 'splunk_ao',
      routing: { project: 'default', logStream: 'default' },
    });
    expect(d.sources).toMatchObject({
      kind: 'env:SPLUNK_AO_API_KEY',
      apiKey: 'env:SPLUNK_AO_API_KEY',
      endpoint: 'env:SPLUNK_AO_CONSOLE_URL',
    });
  });

  it('detects Splunk Observability Cloud from the realm, with no default routing', () => {
    const d = resolveDestination({}, { SPLUNK_AO_REALM: 'us1', SPLUNK_AO_O11Y_TOKEN: 't' });
    expect(d).toMatchObject({
      kind: 'splunk-o11y',
      endpoint: 'https://ingest.us1.observability.splunkcloud.com/v2/trace/otlp',
      authHeader: 'X-SF-Token',
      routingFamily: 'splunk_ao',
      routing: { project: undefined, logStream: undefined },
    });
  });

  it('never puts the key or token in the result', () => {
    const secret = 'super-secret-token-value';
    for (const env of [
      { GALILEO_API_KEY: secret },
      { SPLUNK_AO_API_KEY: secret },
      { SPLUNK_AO_REALM: 'eu0', SPLUNK_AO_O11Y_TOKEN: secret },
    ]) {
      expect(JSON.stringify(resolveDestination({}, env))).not.toContain(secret);
    }
  });

  it('refuses variables of two destinations, naming them and how to choose', () => {
    const error = failure({ GALILEO_API_KEY: 'g', SPLUNK_AO_API_KEY: 's' });
    expect(error.message).toContain('galileo: GALILEO_API_KEY; splunk-ao: SPLUNK_AO_API_KEY');
    expect(error.message).toContain('GALILEO_OTEL_DESTINATION=galileo|splunk-ao|splunk-o11y');
    const both = failure({ SPLUNK_AO_API_KEY: 's', SPLUNK_AO_REALM: 'us0' });
    expect(both.message).toContain('splunk-ao: SPLUNK_AO_API_KEY; splunk-o11y: SPLUNK_AO_REALM');
  });

  it('lets the destination option or GALILEO_OTEL_DESTINATION settle it', () => {
    const env = { GALILEO_API_KEY: 'g', SPLUNK_AO_API_KEY: 's' };
    expect(resolveDestination({ destination: 'galileo' }, env).kind).toBe('galileo');
    const chosen = resolveDestination({}, { ...env, GALILEO_OTEL_DESTINATION: 'splunk-ao' });
    expect(chosen.kind).toBe('splunk-ao');
    expect(chosen.sources.kind).toBe('env:GALILEO_OTEL_DESTINATION');
    expect(failure({ GALILEO_OTEL_DESTINATION: 'datadog' }).message).toMatch(
      /GALILEO_OTEL_DESTINATION must be one of 'galileo', 'splunk-ao', 'splunk-o11y', got "datadog"/,
    );
  });

  it('refuses an O11y API token in place of an ingest token', () => {
    const error = failure({ SPLUNK_AO_REALM: 'us1', SPLUNK_AO_O11Y_API_TOKEN: 'api' });
    expect(error.setting).toBe('SPLUNK_AO_O11Y_TOKEN');
    expect(error.message).toContain('not an ingest token');
  });
});

describe('resolveDestination: the Splunk AO console → API rule (destinations.md)', () => {
  it.each([
    ['https://console.multitenant.galileocloud.io', 'https://api.multitenant.galileocloud.io'],
    ['https://app.galileo.ai', 'https://api.galileo.ai'],
    ['https://galileo.example.com', 'https://api.galileo.example.com'],
    ['https://console.galileo.example.com/', 'https://api.galileo.example.com'],
    ['https://api.galileo.example.com', 'https://api.galileo.example.com'],
    ['console.acme.io', 'https://api.acme.io'],
    ['http://localhost:3000', 'http://localhost:8088'],
    ['http://127.0.0.1:3000/', 'http://localhost:8088'],
    // IPv6 loopback is a local console too.
    ['http://[::1]:3000', 'http://localhost:8088'],
    // A path after the console host is a UI route: dropped.
    ['https://console.acme.io/projects/1', 'https://api.acme.io'],
  ])('%s → %s/otel/v1/traces', (consoleUrl, api) => {
    const d = resolveDestination({}, { SPLUNK_AO_API_KEY: 'k', SPLUNK_AO_CONSOLE_URL: consoleUrl });
    expect(d.endpoint).toBe(`${api}/otel/v1/traces`);
  });

  it('differs from the Galileo rule on a host with console inside it', () => {
    const console = 'https://console-galileo.apps.mycompany.com';
    expect(resolveDestination({}, { GALILEO_CONSOLE_URL: console }).endpoint).toBe(
      'https://api-galileo.apps.mycompany.com/otel/traces',
    );
    expect(
      resolveDestination({}, { SPLUNK_AO_API_KEY: 'k', SPLUNK_AO_CONSOLE_URL: console }).endpoint,
    ).toBe('https://api.console-galileo.apps.mycompany.com/otel/v1/traces');
  });

  it('takes an API URL as given (trailing slashes stripped, the path not doubled)', () => {
    const env = (url: string) => ({ SPLUNK_AO_API_KEY: 'k', SPLUNK_AO_API_URL: url });
    expect(resolveDestination({}, env('https://api.acme.io///')).endpoint).toBe(
      'https://api.acme.io/otel/v1/traces',
    );
    expect(resolveDestination({}, env('https://api.acme.io/otel/v1/traces')).endpoint).toBe(
      'https://api.acme.io/otel/v1/traces',
    );
    expect(resolveDestination({}, env('[::1]:8088')).endpoint).toBe(
      'http://[::1]:8088/otel/v1/traces',
    );
  });

  it('defaults to Galileo Cloud, as the Splunk AO SDK does, with only the key set', () => {
    expect(resolveDestination({}, { SPLUNK_AO_API_KEY: 'k' }).endpoint).toBe(
      'https://api.galileo.ai/otel/v1/traces',
    );
  });

  it('refuses a console URL that is not a URL, naming the variable', () => {
    const error = failure({ SPLUNK_AO_API_KEY: 'k', SPLUNK_AO_CONSOLE_URL: 'ht!tp://::not a url' });
    expect(error.setting).toBe('SPLUNK_AO_CONSOLE_URL');
  });
});

describe('resolveDestination: Splunk Observability Cloud', () => {
  it.each(['us 1', 'us1.evil.com', '-us1', 'us_1', 'ü'])('refuses the realm %j', (realm) => {
    const error = failure({ SPLUNK_AO_REALM: realm, SPLUNK_AO_O11Y_TOKEN: 't' });
    expect(error.setting).toBe('SPLUNK_AO_REALM');
    expect(error.message).toContain('must be a realm name such as us1');
  });

  it('needs the realm, unless the ingest URL is given by hand', () => {
    expect(failure({ SPLUNK_AO_O11Y_TOKEN: 't' }).message).toContain('needs its realm');
    const byHand = resolveDestination(
      { endpoint: 'https://otel-gateway.internal:4318/v1/traces' },
      { SPLUNK_AO_O11Y_TOKEN: 't' },
    );
    expect(byHand).toMatchObject({
      kind: 'splunk-o11y',
      endpoint: 'https://otel-gateway.internal:4318/v1/traces',
      authHeader: 'X-SF-Token',
    });
    expect(byHand.sources.endpoint).toBe('option');
  });
});

describe('resolveDestination: routing', () => {
  it('reads the agent stream, with SPLUNK_AO_LOG_STREAM as a deprecated alias', () => {
    const base = { SPLUNK_AO_API_KEY: 'k', SPLUNK_AO_PROJECT: 'p' };
    expect(resolveDestination({}, { ...base, SPLUNK_AO_AGENT_STREAM: 'a' }).routing).toMatchObject({
      project: 'p',
      logStream: 'a',
    });
    const alias = resolveDestination({}, { ...base, SPLUNK_AO_LOG_STREAM: 'old' });
    expect(alias.routing.logStream).toBe('old');
    expect(alias.sources.logStream).toBe('env:SPLUNK_AO_LOG_STREAM');
  });

  it('routes by id instead of the default name, and refuses a name and an id together', () => {
    const byId = resolveDestination(
      {},
      { GALILEO_PROJECT_ID: 'p-1', GALILEO_LOG_STREAM_ID: 's-1' },
    );
    expect(byId.routing).toMatchObject({
      project: undefined,
      projectId: 'p-1',
      logStream: undefined,
      logStreamId: 's-1',
    });
    const error = failure({
      SPLUNK_AO_API_KEY: 'k',
      SPLUNK_AO_PROJECT: 'p',
      SPLUNK_AO_PROJECT_ID: 'p-1',
    });
    expect(error.setting).toBe('SPLUNK_AO_PROJECT_ID');
    expect(error.message).toContain('both a project name (SPLUNK_AO_PROJECT) and a project id');
  });

  it('drops the log stream in experiment mode', () => {
    const d = resolveDestination({ experimentId: 'e-1' }, { GALILEO_LOG_STREAM: 'ignored' });
    expect(d.routing.experimentId).toBe('e-1');
    expect(d.routing.logStream).toBeUndefined();
  });
});
