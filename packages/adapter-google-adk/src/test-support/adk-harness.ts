import { type GalileoRegistration, galileoKind, registerGalileo } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import {
  type Event,
  FunctionTool,
  Gemini,
  InMemoryRunner,
  LlmAgent,
  type LlmAgentConfig,
  type RunConfig,
  type Runner,
} from '@google/adk';
import { z } from 'zod';
import { type GoogleAdkAdapter, type GoogleAdkOptions, googleAdk } from '../google-adk.js';
import { googleAdkPlugin } from '../google-adk-plugin.js';

export const API_KEY = 'gal-test-key-adk-0123456789';
export const APP = 'weather-app';

/** One process-wide set-up: OTLP sink, local model, Galileo registered globally. */
export interface Harness {
  sink: OtlpSink;
  model: LocalModelServer;
  galileo: GalileoRegistration;
  adapter: GoogleAdkAdapter;
  warnings: string[];
  /** Every URL `fetch` was asked for since the harness started. */
  fetched: string[];
  close(): Promise<void>;
}

export async function startHarness(options: GoogleAdkOptions = {}): Promise<Harness> {
  const sink = await startOtlpSink();
  const model = await startLocalModel({ port: 0 });
  // The Gemini client ADK uses reads this when it creates its client (no real Google endpoint).
  process.env.GOOGLE_GEMINI_BASE_URL = model.url;
  const fetched: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  };
  const warnings: string[] = [];
  const adapter = googleAdk(options);
  const galileo = registerGalileo({
    apiKey: API_KEY,
    endpoint: sink.url,
    project: 'adk-tests',
    logStream: 'default',
    serviceName: 'adk-test',
    adapters: [adapter],
    scheduledDelayMillis: 60_000,
    logger: { warn: (line) => warnings.push(line) },
  });
  return {
    sink,
    model,
    galileo,
    adapter,
    warnings,
    fetched,
    async close() {
      await galileo.shutdown();
      globalThis.fetch = realFetch;
      await model.close();
      await sink.close();
    },
  };
}

/**
 * A runner for a weather agent with a `get_weather` tool on the local model (with the plugin
 * unless `plugin: false`).
 */
export function weatherRunner(
  options: {
    name?: string;
    model?: string;
    plugin?: boolean;
    beforeModelCallback?: LlmAgentConfig['beforeModelCallback'];
  } = {},
): InMemoryRunner {
  const agent = new LlmAgent({
    name: options.name ?? 'weather_agent',
    model: new Gemini({ model: options.model ?? 'gemini-2.5-flash', apiKey: 'local' }),
    instruction: 'Answer weather questions with the get_weather tool.',
    tools: [
      new FunctionTool({
        name: 'get_weather',
        description: 'Get the weather for a city',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ weather: `Sunny in ${city}` }),
      }),
    ],
    ...(options.beforeModelCallback ? { beforeModelCallback: options.beforeModelCallback } : {}),
  });
  const plugins = options.plugin === false ? [] : [googleAdkPlugin()];
  return new InMemoryRunner({ agent, appName: APP, plugins });
}

/** Runs one user message through a fresh session and returns the events. */
export async function runOnce(
  runner: Runner,
  text: string,
  runConfig?: RunConfig,
  iterate: (
    generator: AsyncGenerator<Event, void, undefined>,
  ) => AsyncGenerator<Event, void, undefined> = (g) => g,
): Promise<Event[]> {
  const session = await runner.sessionService.createSession({ appName: APP, userId: 'u1' });
  const events: Event[] = [];
  const generator = runner.runAsync({
    userId: 'u1',
    sessionId: session.id,
    newMessage: { role: 'user', parts: [{ text }] },
    ...(runConfig ? { runConfig } : {}),
  });
  for await (const event of iterate(generator)) events.push(event);
  return events;
}

/** Flushes and returns the decoded spans of the trace whose root is the newest `invocation`. */
export async function traceOf(harness: Harness, before: number): Promise<OtlpSpan[]> {
  await harness.galileo.forceFlush();
  const fresh = harness.sink.spans().slice(before);
  const invocation = fresh.find((s) => s.name === 'invocation');
  if (!invocation) return fresh;
  return fresh.filter((s) => s.traceId === invocation.traceId);
}

export function one(spans: readonly OtlpSpan[], name: string): OtlpSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one span "${name}", got ${found.length}: ${spans.map((s) => s.name).join(', ')}`,
    );
  }
  return found[0] as OtlpSpan;
}

export function all(spans: readonly OtlpSpan[], name: string): OtlpSpan[] {
  return spans.filter((s) => s.name === name);
}

export function kindOf(span: OtlpSpan): string {
  return galileoKind(span);
}

export function json(span: OtlpSpan, key: string): unknown {
  const value = span.attributes[key];
  return typeof value === 'string' ? JSON.parse(value) : undefined;
}

export function hostsOf(urls: readonly string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).hostname))];
}
