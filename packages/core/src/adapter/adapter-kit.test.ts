import { readFileSync } from 'node:fs';
import { context, DiagLogLevel, diag, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAdapterLogger } from './adapter-logger.js';
import { adapterPackage } from './adapter-tracer.js';
import { sessionAttributes, sessionFromBaggage } from './session.js';
import { asNumber, asScalarText, asString, isRecord } from './values.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createAdapterLogger', () => {
  it('prints a warning once per key, and never a secret it quotes', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const log = createAdapterLogger('kit-test-once');
    log.warnOnce('k', 'first, sent Authorization: Bearer hunter2secret-token');
    log.warnOnce('k', 'second');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[galileo-otel\] kit-test-once: first/);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain('hunter2secret-token');
  });

  it('sends lines through the processor once attached', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const lines: string[] = [];
    const log = createAdapterLogger('kit-test-host');
    log.attach({
      log: (key, message) => lines.push(`${key}|${message}`),
      routing: { project: 'p', logStream: 's', experimentId: undefined },
    });
    log.warnOnce('k', 'hello');
    expect(lines).toEqual(['kit-test-host:k|kit-test-host: hello']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('guards a hook: a throw is reported once and the fallback returned', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const log = createAdapterLogger('kit-test-guard');
    const boom = () => {
      throw new Error('framework changed shape');
    };
    expect(log.guard('onEvent', boom, 'fallback')).toBe('fallback');
    expect(log.guard('onEvent', boom)).toBeUndefined();
    expect(log.guard('ok', () => 42)).toBe(42);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(
      'onEvent failed and was skipped (tracing continues): framework changed shape',
    );
  });

  it('sends lines to its own sink, once per key per sink, or to diag only with false', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const mine: string[] = [];
    const theirs: string[] = [];
    const a = createAdapterLogger('kit-test-sink', { sink: { warn: (l) => mine.push(l) } });
    const b = createAdapterLogger('kit-test-sink', { sink: { warn: (l) => theirs.push(l) } });
    a.warnOnce('k', 'hello');
    a.warnOnce('k', 'hello again');
    b.warnOnce('k', 'hello');
    createAdapterLogger('kit-test-sink', { sink: false }).warnOnce('k', 'quiet');
    expect(mine).toEqual(['[galileo-otel] kit-test-sink: hello']);
    expect(theirs).toEqual(['[galileo-otel] kit-test-sink: hello']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('also reports through diag', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const seen: string[] = [];
    const sink = (message: string) => seen.push(message);
    diag.setLogger(
      { error: sink, warn: sink, info: sink, debug: sink, verbose: sink },
      DiagLogLevel.WARN,
    );
    try {
      createAdapterLogger('kit-test-diag').warnOnce('k', 'seen by diag');
    } finally {
      diag.disable();
    }
    expect(seen).toContain('[galileo-otel] kit-test-diag: seen by diag');
  });
});

describe('adapterPackage', () => {
  it('reads the real name and version of the package a module is in', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { name: string; version: string };
    const pkg = adapterPackage(import.meta.url);
    expect(pkg).toMatchObject({ name: manifest.name, version: manifest.version });
    expect(pkg.name).toBe('@galileo-otel/core');
    expect(typeof pkg.tracer().startSpan).toBe('function');
  });

  it('falls back to a given name when no package.json is above the module (a bundle)', () => {
    expect(adapterPackage('file:///no/such/dir/module.js', '@acme/adapter')).toMatchObject({
      name: '@acme/adapter',
      version: '0.0.0',
    });
    expect(adapterPackage('not a url').name).toBe('galileo-otel-adapter');
  });
});

describe('session helpers', () => {
  it('read the session from baggage, refusing ids that would not show as they are', () => {
    const bag = (value: string) =>
      propagation.setBaggage(
        ROOT_CONTEXT,
        propagation.createBaggage({ 'galileo.session.id': { value } }),
      );
    expect(sessionFromBaggage(bag('conv-1'))).toBe('conv-1');
    expect(sessionFromBaggage(bag('evil\u202Eid'))).toBeUndefined();
    expect(sessionFromBaggage(ROOT_CONTEXT)).toBeUndefined();
    const otelKey = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ 'session.id': { value: 'otel-1' } }),
    );
    expect(sessionFromBaggage(otelKey)).toBe('otel-1');
    expect(context.active()).toBe(ROOT_CONTEXT);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('give the three session attributes for a safe id and none otherwise', () => {
    expect(sessionAttributes(' thread-7 ')).toEqual({
      'galileo.session.id': 'thread-7',
      'session.id': 'thread-7',
      'gen_ai.conversation.id': 'thread-7',
    });
    expect(sessionAttributes('x'.repeat(257))).toEqual({});
    expect(sessionAttributes(42)).toEqual({});
  });
});

describe('value guards', () => {
  it('agree on what counts as a string, a number and a record', () => {
    expect([asString('a'), asString(''), asString(1)]).toEqual(['a', undefined, undefined]);
    expect([
      asNumber(3),
      asNumber('4'),
      asNumber(' '),
      asNumber(Number.NaN),
      asNumber('x'),
    ]).toEqual([3, 4, undefined, undefined, undefined]);
    expect([asScalarText(7), asScalarText(true), asScalarText('id'), asScalarText({})]).toEqual([
      '7',
      'true',
      'id',
      undefined,
    ]);
    expect([isRecord({}), isRecord([]), isRecord(null), isRecord('x')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});
