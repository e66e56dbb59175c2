// One of the two demo services, written the way an app without a framework adapter would use
// @galileo-otel/core: `traceHttpHandler` joins the caller's trace, `tracedFetch` carries it to
// the next service and to the model, and agent / llm / tool spans use core's shape helpers.
//   ask:      POST /ask      → orchestrator agent: model call (offers delegate_research) →
//                              tool delegate_research POSTs to the research service → model call
//                              with the tool result → answer
//   research: POST /research → research agent: one model call asking for key facts
// TRACING=off runs the same code with plain handler, plain fetch and no spans; TRACING=plain
// traces it through the stock OTel pipeline instead of galileo-otel's processor.
import { createServer } from 'node:http';
import {
  agentAttributes,
  agentSpanName,
  llmAttributes,
  llmSpanName,
  recordSpanError,
  registerGalileo,
  toolAttributes,
  toolSpanName,
  tracedFetch,
  traceHttpHandler,
} from '@galileo-otel/core';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { loopDelay } from '../lib/loop-delay.mjs';

const role = process.argv[2];
// TRACING=on: galileo-otel; plain: the stock OTel pipeline with the same instrumentation (the
// baseline the processor is measured against); off: no tracing at all.
const mode = process.env.TRACING;
const tracing = mode === 'on' || mode === 'plain';
const MODEL = 'gpt-4.1-mini';
const modelUrl = `${process.env.MODEL_URL}/v1/chat/completions`;

const galileo =
  mode === 'on'
    ? registerGalileo({
        apiKey: 'bench',
        project: 'bench',
        logStream: 'e2e',
        endpoint: process.env.OTLP_URL,
        serviceName: `bench-${role}`,
        logger: false,
      })
    : mode === 'plain'
      ? registerPlainOtel()
      : undefined;

/** What registerGalileo sets up, with the stock BatchSpanProcessor + OTLP protobuf exporter. */
function registerPlainOtel() {
  const exporter = new OTLPTraceExporter({ url: process.env.OTLP_URL });
  const stats = { spansExported: 0, spansDropped: 0 };
  const counting = {
    export(spans, done) {
      exporter.export(spans, (result) => {
        if (result.code === 0) stats.spansExported += spans.length;
        else stats.spansDropped += spans.length;
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': `bench-${role}` })),
    spanProcessors: [new BatchSpanProcessor({ exporter: counting })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  return {
    processor: { stats: () => stats },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
const tracer = trace.getTracer('bench-e2e');
const send = tracing ? tracedFetch : fetch;

async function inSpan(name, attributes, fn) {
  if (!tracing) return fn(undefined);
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordSpanError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

async function chat(messages, tools) {
  return inSpan(
    llmSpanName(MODEL),
    llmAttributes({ model: MODEL, provider: 'openai', inputMessages: messages }),
    async (span) => {
      const response = await send(modelUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer local',
          ...(process.env.MODEL_LATENCY_MS
            ? { 'x-local-model-scenario': `latency:${process.env.MODEL_LATENCY_MS}` }
            : {}),
        },
        body: JSON.stringify({ model: MODEL, messages, ...(tools ? { tools } : {}) }),
      });
      if (!response.ok) throw new Error(`model answered ${response.status}`);
      const body = await response.json();
      const choice = body.choices[0];
      span?.setAttributes(
        llmAttributes({
          model: MODEL,
          responseModel: body.model,
          responseId: body.id,
          outputMessages: [choice.message],
          finishReasons: [choice.finish_reason],
          usage: {
            inputTokens: body.usage?.prompt_tokens,
            outputTokens: body.usage?.completion_tokens,
          },
        }),
      );
      return choice.message;
    },
  );
}

const DELEGATE = {
  type: 'function',
  function: {
    name: 'delegate_research',
    description: 'Ask the research service for key facts about a topic',
    parameters: {
      type: 'object',
      properties: { topic: { type: 'string', description: 'The topic to research' } },
      required: ['topic'],
    },
  },
};

async function ask(question) {
  return inSpan(
    agentSpanName('orchestrator'),
    agentAttributes({ name: 'orchestrator', input: question }),
    async (span) => {
      const messages = [
        { role: 'system', content: 'You are an orchestrator. Delegate research, then answer.' },
        { role: 'user', content: question },
      ];
      const first = await chat(messages, [DELEGATE]);
      messages.push(first);
      for (const call of first.tool_calls ?? []) {
        const args = call.function.arguments;
        const result = await inSpan(
          toolSpanName(call.function.name),
          toolAttributes({ name: call.function.name, callId: call.id, arguments: args }),
          async (toolSpan) => {
            const response = await send(`${process.env.RESEARCH_URL}/research`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ topic: JSON.parse(args).topic ?? question }),
            });
            const text = await response.text();
            toolSpan?.setAttributes(toolAttributes({ name: call.function.name, result: text }));
            return text;
          },
        );
        messages.push({ role: 'tool', tool_call_id: call.id, content: result });
      }
      const answer = first.tool_calls?.length ? await chat(messages, [DELEGATE]) : first;
      span?.setAttributes(agentAttributes({ name: 'orchestrator', output: answer.content ?? '' }));
      return { answer: answer.content, toolCalls: first.tool_calls?.length ?? 0 };
    },
  );
}

async function research(topic) {
  return inSpan(
    agentSpanName('researcher'),
    agentAttributes({ name: 'researcher', input: topic }),
    async (span) => {
      const message = await chat([
        { role: 'system', content: 'You are a researcher. Return 3-5 concise key facts.' },
        { role: 'user', content: `Research: ${topic}` },
      ]);
      span?.setAttributes(agentAttributes({ name: 'researcher', output: message.content ?? '' }));
      return { facts: message.content };
    },
  );
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

async function handle(req, res) {
  try {
    const body = await readJson(req);
    const out =
      role === 'ask' && req.url === '/ask'
        ? await ask(String(body.question ?? ''))
        : role === 'research' && req.url === '/research'
          ? await research(String(body.topic ?? ''))
          : undefined;
    const payload = JSON.stringify(out ?? { error: 'not found' });
    res.writeHead(out ? 200 : 404, { 'content-type': 'application/json' });
    res.end(payload);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: String(error?.message ?? error) }));
  }
}

const server = createServer(tracing ? traceHttpHandler(handle) : handle);
server.keepAliveTimeout = 60_000;
const delay = loopDelay();
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` });
});

process.on('message', async (message) => {
  if (message?.type === 'start') {
    delay.start();
    process.send?.({ type: 'start' });
  }
  if (message?.type === 'stop') {
    const eventLoop = delay.stop();
    await galileo?.forceFlush();
    process.send?.({ type: 'stop', eventLoop, stats: galileo?.processor.stats() });
  }
  if (message?.type === 'close') {
    await galileo?.shutdown();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
