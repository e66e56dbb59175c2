// A separate OS process for the A2A tests: an A2A agent served over JSON-RPC on loopback with
// the real @a2a-js/sdk server (express), traced with traceA2AHandler and exporting to
// GALILEO_API_ENDPOINT. With PLAIN=1 it is an A2A server that knows nothing of tracing (no
// provider, no wrapper): it answers with the `traceparent` header it received.
//
// What the agent does depends on the text it gets:
//   "stream ..."  a task with three artifact chunks, then COMPLETED (each chunk a span)
//   "fail"        the executor throws (the SDK turns that into a FAILED task)
//   "die"         one chunk, then nothing until POST /die ends the process mid-stream
//   "die now"     the process exits before answering
//   "stream stop" one chunk, then the executor returns with the task still working
//   anything else one message, "facts about <text>", after a span of its own
import { randomUUID } from 'node:crypto';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { trace } from '@opentelemetry/api';
import express from 'express';

const plain = process.env.PLAIN === '1';
const tracing = plain ? undefined : await import('../../dist/index.js');
const galileo = plain
  ? undefined
  : (await import('@galileo-otel/core')).registerGalileo({
      serviceName: 'a2a-agent',
      scheduledDelayMillis: 50,
      logger: false,
    });
const tracer = trace.getTracer('a2a-agent');

const text = (value) => ({ content: { $case: 'text', value }, mediaType: 'text/plain' });
const tick = () => new Promise((resolve) => setImmediate(resolve));

const card = {
  name: 'research_agent',
  description: 'Returns short facts about a topic.',
  version: '1.0.0',
  supportedInterfaces: [{ url: '', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
  capabilities: { streaming: true },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain'],
  skills: [],
};

const executor = {
  async execute(request, bus) {
    const input = request.userMessage.parts.map((p) => p.content?.value ?? '').join('');
    const { taskId, contextId } = request;
    if (input === 'fail') throw new Error('research backend down');
    if (input === 'die now') process.exit(1);
    if (input.startsWith('stream') || input === 'die') {
      bus.publish(
        AgentEvent.task({ id: taskId, contextId, status: { state: 2 }, artifacts: [], history: [] }),
      );
      for (let i = 1; i <= 3; i++) {
        await tick();
        tracer.startSpan(`chunk-${i}`).end();
        bus.publish(
          AgentEvent.artifactUpdate({
            taskId,
            contextId,
            artifact: { artifactId: 'facts', parts: [text(`chunk ${i}. `)] },
            append: i > 1,
          }),
        );
        // Mid-stream: the caller got the first chunk and ends this process with POST /die.
        if (input === 'die') await new Promise(() => {});
        // Returning with the task still working: the SDK closes the stream there.
        if (input === 'stream stop') return;
      }
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: 3 } }));
      bus.finished();
      return;
    }
    const headers = request.context.state.get('headers') ?? {};
    const answer = plain
      ? `traceparent=${headers.traceparent ?? ''}`
      : await tracer.startActiveSpan('agent-work', async (span) => {
          await tick();
          span.end();
          return `facts about ${input}`;
        });
    bus.publish(
      AgentEvent.message({ messageId: randomUUID(), contextId, role: 2, parts: [text(answer)] }),
    );
    bus.finished();
  },
  async cancelTask() {},
};

const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
const app = express();
app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }));
app.use(
  '/a2a',
  jsonRpcHandler({
    requestHandler: tracing ? tracing.traceA2AHandler(handler) : handler,
    userBuilder: UserBuilder.noAuthentication,
  }),
);
app.post('/die', () => process.exit(1));
app.get('/stats', (_req, res) => res.json(tracing ? tracing.a2aStats() : {}));
app.post('/flush', async (_req, res) => {
  await galileo?.forceFlush();
  res.json({});
});

const server = app.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  card.supportedInterfaces[0].url = `${url}/a2a`;
  process.stdout.write(`LISTENING ${url}\n`);
});
process.on('SIGTERM', async () => {
  server.close();
  await galileo?.shutdown();
  process.exit(0);
});
