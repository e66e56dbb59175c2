// A long-running agent service with flushOnExit: one finished run whose spans wait in the queue
// (long scheduledDelayMillis) and one run still in flight, when SIGTERM arrives. The OpenAI
// Agents SDK installs its own SIGTERM handler, which exits once it sees no other listener.
import { registerGalileo } from '@galileo-otel/core';
import {
  Agent,
  run,
  setDefaultOpenAIClient,
  setOpenAIAPI,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';

const { openaiAgents } = await import(process.env.ADAPTER_URL);

setTracingDisabled(false);
registerGalileo({
  apiKey: 'gal-sigterm-key',
  endpoint: process.env.SINK_URL,
  serviceName: 'sigterm-agents',
  adapters: [openaiAgents()],
  flushOnExit: true,
  scheduledDelayMillis: 600_000,
});
setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-local', baseURL: `${process.env.MODEL_URL}/v1` }));
setOpenAIAPI('chat_completions');

const parameters = z.object({ topic: z.string() });
const lookupFacts = tool({
  name: 'lookup_facts',
  description: 'Look up facts about a topic',
  parameters,
  execute: async ({ topic }) => `Facts about ${topic}: launched, still flying.`,
});
let started;
const toolStarted = new Promise((resolve) => {
  started = resolve;
});
const slowLookup = tool({
  name: 'slow_lookup',
  description: 'Look up facts about a topic',
  parameters,
  execute: () => {
    started();
    return new Promise(() => {}); // still running when SIGTERM arrives
  },
});

await run(
  new Agent({ name: 'ResearchAgent', instructions: 'Answer with facts.', model: 'gpt-4.1-mini', tools: [lookupFacts] }),
  'Tell me about Voyager 1.',
);
void run(
  new Agent({ name: 'SlowAgent', instructions: 'Answer with facts.', model: 'gpt-4.1-mini', tools: [slowLookup] }),
  'Tell me about Pioneer 10.',
).catch(() => {});
await toolStarted;
// A server keeps the process alive; the signal must still end it.
setInterval(() => {}, 60_000);
console.log('READY');
