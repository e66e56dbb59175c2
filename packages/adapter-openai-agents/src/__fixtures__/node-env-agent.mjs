// An app started with NODE_ENV=test (as test runners do): the OpenAI Agents SDK disables its
// tracing when it is imported. One run as is, then one after setTracingDisabled(false), each
// flushed before the next; the parent test reads the OTLP receiver and this process's stderr.
import { registerGalileo } from '@galileo-otel/core';
import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';

const { openaiAgents } = await import(process.env.ADAPTER_URL);

const galileo = registerGalileo({
  apiKey: 'gal-node-env-key',
  endpoint: process.env.SINK_URL,
  serviceName: 'node-env-agents',
  adapters: [openaiAgents()],
});
setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-local', baseURL: `${process.env.MODEL_URL}/v1` }));
setOpenAIAPI('chat_completions');

const agent = (name) => new Agent({ name, instructions: 'Answer briefly.', model: 'gpt-4.1-mini' });
await run(agent('AsStartedAgent'), 'Tell me about Voyager 1.');
await galileo.forceFlush();
setTracingDisabled(false);
await run(agent('ReenabledAgent'), 'Tell me about Pioneer 10.');
await galileo.shutdown();
console.log('DONE');
