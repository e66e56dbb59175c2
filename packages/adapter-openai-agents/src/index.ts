export { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
export { type OpenAIAgentsAdapter, openaiAgents } from './openai-agents.js';
export type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';
export { installOpenAIAgentsTracing, openaiAgentsTracing } from './openai-agents-tracing.js';
export { withToolContext } from './with-tool-context.js';
