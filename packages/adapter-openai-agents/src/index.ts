export { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
export { installOpenAIAgentsTracing } from './install-openai-agents-tracing.js';
export { type OpenAIAgentsAdapter, openaiAgents } from './openai-agents.js';
export type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';
export { withToolContext } from './with-tool-context.js';
