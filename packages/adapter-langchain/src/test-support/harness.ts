import { type GalileoRegistration, galileoKind, registerGalileo } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { type StructuredToolInterface, tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { type LangchainAdapter, langchain } from '../langchain.js';
import type { LangchainOptions } from '../langchain-options.js';

export interface Harness {
  sink: OtlpSink;
  model: LocalModelServer;
  galileo: GalileoRegistration;
  adapter: LangchainAdapter;
  warnings: string[];
  /** A ChatOpenAI client on the local model (`model@scenario` picks a local-model scenario). */
  chat(model?: string): ChatOpenAI;
  /** Flushes, then returns the spans received since the previous call. */
  flushSpans(): Promise<OtlpSpan[]>;
  close(): Promise<void>;
}

/**
 * The real pipeline: registerGalileo (global provider, AsyncLocalStorage context, W3C
 * propagators) exporting OTLP protobuf to a local sink, `langchain()` installed through
 * `adapters`, and ChatOpenAI pointed at the local model server.
 */
export async function startHarness(options: LangchainOptions = {}): Promise<Harness> {
  const sink = await startOtlpSink();
  const model = await startLocalModel({ port: 0 });
  const warnings: string[] = [];
  const adapter = langchain(options);
  const galileo = registerGalileo({
    apiKey: 'gal-test-key-0123456789',
    endpoint: sink.url,
    project: 'langchain-tests',
    logStream: 'langchain',
    serviceName: 'langchain-test',
    adapters: [adapter],
    logger: { warn: (line: string) => warnings.push(line) },
  });
  let seen = 0;
  return {
    sink,
    model,
    galileo,
    adapter,
    warnings,
    chat: (name = 'gpt-4.1-mini') =>
      new ChatOpenAI({
        model: name,
        apiKey: 'sk-local',
        configuration: { baseURL: `${model.url}/v1` },
        maxRetries: 0,
      }),
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

const topic = z.object({ topic: z.string().describe('What to look up') });

/** A tool the local model calls for "Tell me about X." questions. */
export const lookupFacts: StructuredToolInterface = tool(
  async ({ topic }) => `Facts about ${topic}: launched in 1977.`,
  {
    name: 'lookup_facts',
    description: 'Look up facts about a topic',
    schema: topic,
  },
);

/** The same tool, failing. */
export const flakyLookup: StructuredToolInterface = tool(
  async (): Promise<string> => {
    throw new RangeError('lookup backend down');
  },
  { name: 'flaky_lookup', description: 'Look up facts about a topic', schema: topic },
);

/** The user turn of a graph run. */
export const ask = (question: string): { messages: Array<{ role: 'user'; content: string }> } => ({
  messages: [{ role: 'user', content: question }],
});

/** An indented `name [kind]` tree of spans (children in start order), for assertions. */
export function renderTree(spans: readonly OtlpSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, OtlpSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano
        ? -1
        : a.startTimeUnixNano > b.startTimeUnixNano
          ? 1
          : 0,
    );
    for (const child of list) {
      const status = child.status.code === 2 ? ' ERROR' : '';
      lines.push(`${'  '.repeat(depth)}${child.name} [${galileoKind(child)}]${status}`);
      walk(child.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** The one span named `name` (fails loudly when there is not exactly one). */
export function only(spans: readonly OtlpSpan[], name: string): OtlpSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one span "${name}", found ${found.length} in:\n${renderTree(spans)}`);
  }
  return found[0] as OtlpSpan;
}

/** A JSON attribute, parsed. */
export function json(span: OtlpSpan, key: string): unknown {
  const value = span.attributes[key];
  if (typeof value !== 'string') throw new Error(`${span.name}: ${key} is ${String(value)}`);
  return JSON.parse(value);
}
