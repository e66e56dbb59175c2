import { subscribe } from 'node:diagnostics_channel';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { getGlobalTraceProvider, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import { type OpenAIAgentsAdapter, openaiAgents } from '../openai-agents.js';
import type { OpenAIAgentsAdapterOptions } from '../openai-agents-options.js';

/** Every outbound request this process made, by any client (fetch, node:http). */
export const outbound: string[] = [];
let recording = false;

/** Starts recording outbound requests (idempotent). */
export function recordOutbound(): void {
  if (recording) return;
  recording = true;
  const original = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    outbound.push(url);
    return original(input, init);
  };
  subscribe('undici:request:create', (message) => {
    const request = (message as { request?: { origin?: unknown; path?: unknown } }).request;
    if (request) outbound.push(`${String(request.origin)}${String(request.path)}`);
  });
  subscribe('http.client.request.start', (message) => {
    const request = (
      message as { request?: { host?: unknown; protocol?: unknown; path?: unknown } }
    ).request;
    if (request)
      outbound.push(`${String(request.protocol)}//${String(request.host)}${String(request.path)}`);
  });
}

/** Hosts of every outbound request so far. */
export function outboundHosts(): string[] {
  return [...new Set(outbound.map((url) => new URL(url).hostname))];
}

/**
 * Hosts of every outbound request once the SDK's own trace processors have flushed. The SDK's
 * OpenAI exporter (a `BatchTraceProcessor`) sends on a 5 s timer or at exit, i.e. after an
 * assertion made right away: without this flush a leak to api.openai.com could not fail a test.
 */
export async function outboundHostsAfterSdkFlush(): Promise<string[]> {
  await getGlobalTraceProvider().forceFlush();
  return outboundHosts();
}

export interface Harness {
  sink: OtlpSink;
  model: LocalModelServer;
  galileo: GalileoRegistration;
  /** The installed adapter (for `openRuns`). */
  adapter: OpenAIAgentsAdapter;
  warnings: string[];
  /** Flushes, then returns the spans received since the previous call. */
  flushSpans(): Promise<OtlpSpan[]>;
  close(): Promise<void>;
}

/**
 * The real pipeline: registerGalileo (global provider, ALS context, W3C propagators) exporting
 * OTLP protobuf to a local sink, the adapter installed through `adapters`, and the OpenAI Agents
 * SDK pointed at the local model server.
 */
export async function startHarness(options: OpenAIAgentsAdapterOptions = {}): Promise<Harness> {
  process.env.OPENAI_API_KEY = 'sk-this-key-must-never-leave-the-machine';
  recordOutbound();
  const sink = await startOtlpSink();
  const model = await startLocalModel({ port: 0 });
  const warnings: string[] = [];
  setTracingDisabled(false);
  const adapter = openaiAgents(options);
  const galileo = registerGalileo({
    apiKey: 'gal-test-key-0123456789',
    endpoint: sink.url,
    project: 'agents-tests',
    logStream: 'openai-agents',
    serviceName: 'openai-agents-test',
    adapters: [adapter],
    logger: { warn: (line: string) => warnings.push(line) },
  });
  setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-local', baseURL: `${model.url}/v1` }));
  let seen = 0;
  return {
    sink,
    model,
    galileo,
    adapter,
    warnings,
    async flushSpans() {
      await galileo.forceFlush();
      const all = sink.spans();
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    },
    async close() {
      await galileo.shutdown();
      await model.close();
      await sink.close();
    },
  };
}

/** An indented `name [kind]` tree of spans, for failure messages and debugging. */
export function renderTree(spans: readonly OtlpSpan[], kindOf: (s: OtlpSpan) => string): string {
  const byParent = new Map<string | undefined, OtlpSpan[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const list = byParent.get(parent) ?? [];
    list.push(span);
    byParent.set(parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    );
    for (const child of children) {
      const status = child.status.code === 2 ? ' ERROR' : '';
      lines.push(`${'  '.repeat(depth)}${child.name} [${kindOf(child)}]${status}`);
      walk(child.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
