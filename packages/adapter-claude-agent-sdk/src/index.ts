export { type ClaudeAgentSdkAdapter, claudeAgentSdk } from './claude-agent-sdk.js';
export type {
  ClaudeAgentSdkOptions,
  ClaudeAgentSdkQueryOptions,
} from './claude-agent-sdk-options.js';
export { claudeAgentSdkQuery } from './claude-agent-sdk-query.js';
