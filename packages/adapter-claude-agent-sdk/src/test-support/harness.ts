import { type GalileoRegistration, galileoKind, registerGalileo } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { type ClaudeAgentSdkAdapter, claudeAgentSdk } from '../claude-agent-sdk.js';
import type { ClaudeAgentSdkOptions } from '../claude-agent-sdk-options.js';
import { claudeAgentSdkQuery } from '../claude-agent-sdk-query.js';
import { type ClaudeSdk, cliEnv, loadSdk, type Query, startEgressTrap } from './claude-sdk.js';

export interface Harness {
  sdk: ClaudeSdk;
  sink: OtlpSink;
  model: LocalModelServer;
  trap: Awaited<ReturnType<typeof startEgressTrap>>;
  galileo: GalileoRegistration;
  adapter: ClaudeAgentSdkAdapter;
  warnings: string[];
  /** The SDK's `query`, traced. */
  query: (params: { prompt: string; options?: Record<string, unknown> }) => Query;
  /** The CLI's environment for this harness (extra variables added). */
  env(extra?: Record<string, string>): Record<string, string | undefined>;
  /** Flushes, then returns the spans received since the previous call. */
  flushSpans(): Promise<OtlpSpan[]>;
  close(): Promise<void>;
}

/**
 * The real pipeline: registerGalileo (global provider, AsyncLocalStorage context, W3C
 * propagators) exporting OTLP protobuf to a local sink, the adapter installed through
 * `adapters`, and the real SDK, whose CLI talks to the local model server.
 */
export async function startHarness(options: ClaudeAgentSdkOptions = {}): Promise<Harness> {
  const sdk = await loadSdk();
  const [sink, model, trap] = await Promise.all([
    startOtlpSink(),
    startLocalModel({ port: 0 }),
    startEgressTrap(),
  ]);
  const warnings: string[] = [];
  const adapter = claudeAgentSdk(options);
  const galileo = registerGalileo({
    apiKey: 'gal-test-key-0123456789',
    endpoint: sink.url,
    project: 'claude-tests',
    logStream: 'claude-agent-sdk',
    serviceName: 'claude-agent-sdk-test',
    adapters: [adapter],
    logger: { warn: (line: string) => warnings.push(line) },
  });
  let seen = 0;
  return {
    sdk,
    sink,
    model,
    trap,
    galileo,
    adapter,
    warnings,
    query: claudeAgentSdkQuery(sdk.query),
    env: (extra) => cliEnv(model.url, trap.url, extra),
    async flushSpans() {
      await galileo.forceFlush();
      const all = sink.spans();
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    },
    async close() {
      await galileo.shutdown();
      await Promise.all([model.close(), sink.close(), trap.close()]);
    },
  };
}

/** An indented `name [kind]` tree of spans, for failure messages and the report. */
export function renderTree(spans: readonly OtlpSpan[]): string {
  const byParent = new Map<string | undefined, OtlpSpan[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    byParent.set(parent, [...(byParent.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    );
    for (const child of children) {
      const status = child.status.code === 2 ? ' ERROR' : '';
      lines.push(`${'  '.repeat(depth)}${child.name} [${galileoKind(child)}]${status}`);
      walk(child.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
