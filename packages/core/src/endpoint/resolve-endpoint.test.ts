import { describe, expect, it } from 'vitest';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import { DEFAULT_GALILEO_ENDPOINT, resolveEndpoint } from './resolve-endpoint.js';

const none = {};

describe('resolveEndpoint: the worked examples of Galileo docs', () => {
  it.each([
    [{}, {}, 'https://api.galileo.ai/otel/traces'],
    [
      { consoleUrl: 'https://console.galileo.example.com' },
      {},
      'https://api.galileo.example.com/otel/traces',
    ],
    [
      { consoleUrl: 'https://console-galileo.apps.mycompany.com' },
      {},
      'https://api-galileo.apps.mycompany.com/otel/traces',
    ],
    [{ apiUrl: 'http://localhost:8080' }, {}, 'http://localhost:8080/otel/traces'],
    [{ apiUrl: 'https://api.galileo.ai/' }, {}, 'https://api.galileo.ai/otel/traces'],
  ])('resolves %j to the documented endpoint', (options, env, expected) => {
    expect(resolveEndpoint(options, env)).toBe(expected);
  });

  it('uses Galileo Cloud when nothing is set', () => {
    expect(resolveEndpoint(undefined, none)).toBe(DEFAULT_GALILEO_ENDPOINT);
  });
});

describe('resolveEndpoint: precedence and environment', () => {
  it('takes GALILEO_API_ENDPOINT verbatim, as the distributed-tracing docs promise', () => {
    expect(
      resolveEndpoint({}, { GALILEO_API_ENDPOINT: 'https://api.x.example/custom/otel/traces/' }),
    ).toBe('https://api.x.example/custom/otel/traces/');
  });

  it('prefers endpoint over apiUrl over consoleUrl, and options over env', () => {
    const env = {
      GALILEO_API_ENDPOINT: 'https://e.example/otel/traces',
      GALILEO_API_URL: 'https://a.example',
      GALILEO_CONSOLE_URL: 'https://console.c.example',
    };
    expect(resolveEndpoint({}, env)).toBe('https://e.example/otel/traces');
    expect(resolveEndpoint({ apiUrl: 'https://opt.example' }, env)).toBe(
      'https://e.example/otel/traces',
    );
    const { GALILEO_API_ENDPOINT: _e, ...noEndpoint } = env;
    expect(resolveEndpoint({}, noEndpoint)).toBe('https://a.example/otel/traces');
    expect(resolveEndpoint({ apiUrl: 'https://opt.example' }, noEndpoint)).toBe(
      'https://opt.example/otel/traces',
    );
    expect(resolveEndpoint({}, { GALILEO_CONSOLE_URL: 'https://console.c.example' })).toBe(
      'https://api.c.example/otel/traces',
    );
  });

  it('ignores blank values', () => {
    expect(resolveEndpoint({ endpoint: '  ' }, { GALILEO_API_URL: '' })).toBe(
      DEFAULT_GALILEO_ENDPOINT,
    );
  });
});

describe('resolveEndpoint: decided behaviour for odd inputs', () => {
  it('adds https:// to a console URL without a scheme (http:// for loopback)', () => {
    expect(resolveEndpoint({ consoleUrl: 'console.galileo.example.com' })).toBe(
      'https://api.galileo.example.com/otel/traces',
    );
    expect(resolveEndpoint({ apiUrl: 'localhost:9000' })).toBe('http://localhost:9000/otel/traces');
  });

  it('drops a path, query or fragment after the console host', () => {
    expect(
      resolveEndpoint({ consoleUrl: 'https://console.galileo.example.com/project/123?x=1' }),
    ).toBe('https://api.galileo.example.com/otel/traces');
  });

  it('keeps a path under the API URL and never appends /otel/traces twice', () => {
    expect(resolveEndpoint({ apiUrl: 'https://gw.example/galileo//' })).toBe(
      'https://gw.example/galileo/otel/traces',
    );
    expect(resolveEndpoint({ apiUrl: 'https://api.example/otel/traces/' })).toBe(
      'https://api.example/otel/traces',
    );
  });

  it('replaces only the first `console` when the host holds it twice', () => {
    expect(resolveEndpoint({ consoleUrl: 'https://console.console.example.com' })).toBe(
      'https://api.console.example.com/otel/traces',
    );
  });

  it('keeps the host of a console URL without `console` (API on the same origin)', () => {
    expect(resolveEndpoint({ consoleUrl: 'https://galileo.mycorp.example:8443' })).toBe(
      'https://galileo.mycorp.example:8443/otel/traces',
    );
  });

  it('keeps the port and maps loopback consoles, IPv6 included, to localhost:8088', () => {
    expect(resolveEndpoint({ consoleUrl: 'https://console.x.example:9443/' })).toBe(
      'https://api.x.example:9443/otel/traces',
    );
    expect(resolveEndpoint({ consoleUrl: 'http://localhost:3000' })).toBe(
      'http://localhost:8088/otel/traces',
    );
    expect(resolveEndpoint({ consoleUrl: 'http://127.0.0.1:3000' })).toBe(
      'http://localhost:8088/otel/traces',
    );
    expect(resolveEndpoint({ consoleUrl: 'http://[::1]:3000' })).toBe(
      'http://localhost:8088/otel/traces',
    );
    expect(resolveEndpoint({ apiUrl: 'http://[::1]:4318/' })).toBe('http://[::1]:4318/otel/traces');
  });

  it('maps any app.galileo.ai console to Galileo Cloud', () => {
    expect(resolveEndpoint({ consoleUrl: 'https://app.galileo.ai/some/page' })).toBe(
      DEFAULT_GALILEO_ENDPOINT,
    );
  });

  it('names the variable an invalid URL came from', () => {
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      throw new Error('expected an error');
    };
    const fromEnv = attempt(() => resolveEndpoint({}, { GALILEO_CONSOLE_URL: 'https://exa mple' }));
    expect(GalileoConfigError.isInstance(fromEnv)).toBe(true);
    expect((fromEnv as GalileoConfigError).setting).toBe('GALILEO_CONSOLE_URL');
    expect(String(fromEnv)).toMatch(/GALILEO_CONSOLE_URL is not a valid URL/);
    const fromOption = attempt(() => resolveEndpoint({ endpoint: 'ftp://x.example/otel' }));
    expect(String(fromOption)).toMatch(/`endpoint` option must be an http\(s\) URL/);
  });
});
