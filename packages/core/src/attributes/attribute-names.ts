/** Attribute keys Galileo reads for routing and grouping. */
export const GalileoAttributes: {
  readonly PROJECT: 'galileo.project.name';
  readonly PROJECT_ID: 'galileo.project.id';
  readonly LOG_STREAM: 'galileo.logstream.name';
  readonly LOG_STREAM_ID: 'galileo.logstream.id';
  readonly EXPERIMENT_ID: 'galileo.experiment.id';
  readonly SESSION_ID: 'galileo.session.id';
  readonly USER_ID: 'user.id';
  readonly OTEL_SESSION_ID: 'session.id';
} = {
  PROJECT: 'galileo.project.name',
  PROJECT_ID: 'galileo.project.id',
  LOG_STREAM: 'galileo.logstream.name',
  LOG_STREAM_ID: 'galileo.logstream.id',
  EXPERIMENT_ID: 'galileo.experiment.id',
  SESSION_ID: 'galileo.session.id',
  USER_ID: 'user.id',
  OTEL_SESSION_ID: 'session.id',
};

/**
 * Routing keys of Splunk Agent Observability (both its standalone and its Splunk Observability
 * Cloud destination). A span may carry these or the `galileo.*` ones to override its routing.
 */
export const SplunkAoAttributes: {
  readonly PROJECT: 'splunk_ao.project.name';
  readonly PROJECT_ID: 'splunk_ao.project.id';
  readonly LOG_STREAM: 'splunk_ao.logstream.name';
  readonly LOG_STREAM_ID: 'splunk_ao.logstream.id';
  readonly EXPERIMENT_ID: 'splunk_ao.experiment.id';
} = {
  PROJECT: 'splunk_ao.project.name',
  PROJECT_ID: 'splunk_ao.project.id',
  LOG_STREAM: 'splunk_ao.logstream.name',
  LOG_STREAM_ID: 'splunk_ao.logstream.id',
  EXPERIMENT_ID: 'splunk_ao.experiment.id',
};

/** OpenTelemetry GenAI attribute keys (plus the legacy token names Galileo's docs show). */
export const GenAiAttributes: {
  readonly OPERATION_NAME: 'gen_ai.operation.name';
  readonly PROVIDER_NAME: 'gen_ai.provider.name';
  readonly SYSTEM: 'gen_ai.system';
  readonly REQUEST_MODEL: 'gen_ai.request.model';
  readonly RESPONSE_MODEL: 'gen_ai.response.model';
  readonly RESPONSE_ID: 'gen_ai.response.id';
  readonly FINISH_REASONS: 'gen_ai.response.finish_reasons';
  readonly AGENT_NAME: 'gen_ai.agent.name';
  readonly AGENT_ID: 'gen_ai.agent.id';
  readonly AGENT_DESCRIPTION: 'gen_ai.agent.description';
  readonly CONVERSATION_ID: 'gen_ai.conversation.id';
  readonly CONVERSATION_ROOT: 'gen_ai.conversation_root';
  readonly INPUT_MESSAGES: 'gen_ai.input.messages';
  readonly OUTPUT_MESSAGES: 'gen_ai.output.messages';
  readonly SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions';
  readonly TOOL_NAME: 'gen_ai.tool.name';
  readonly TOOL_CALL_ID: 'gen_ai.tool.call.id';
  readonly TOOL_TYPE: 'gen_ai.tool.type';
  readonly TOOL_DESCRIPTION: 'gen_ai.tool.description';
  readonly TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments';
  readonly TOOL_CALL_RESULT: 'gen_ai.tool.call.result';
  readonly USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens';
  readonly USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens';
  readonly USAGE_PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens';
  readonly USAGE_COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens';
  readonly USAGE_TOTAL_TOKENS: 'gen_ai.usage.total_tokens';
  readonly TIME_TO_FIRST_CHUNK: 'gen_ai.client.operation.time_to_first_chunk';
  readonly ERROR_TYPE: 'error.type';
} = {
  OPERATION_NAME: 'gen_ai.operation.name',
  PROVIDER_NAME: 'gen_ai.provider.name',
  SYSTEM: 'gen_ai.system',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  RESPONSE_ID: 'gen_ai.response.id',
  FINISH_REASONS: 'gen_ai.response.finish_reasons',
  AGENT_NAME: 'gen_ai.agent.name',
  AGENT_ID: 'gen_ai.agent.id',
  AGENT_DESCRIPTION: 'gen_ai.agent.description',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  CONVERSATION_ROOT: 'gen_ai.conversation_root',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_TYPE: 'gen_ai.tool.type',
  TOOL_DESCRIPTION: 'gen_ai.tool.description',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  USAGE_PROMPT_TOKENS: 'gen_ai.usage.prompt_tokens',
  USAGE_COMPLETION_TOKENS: 'gen_ai.usage.completion_tokens',
  USAGE_TOTAL_TOKENS: 'gen_ai.usage.total_tokens',
  TIME_TO_FIRST_CHUNK: 'gen_ai.client.operation.time_to_first_chunk',
  ERROR_TYPE: 'error.type',
};
