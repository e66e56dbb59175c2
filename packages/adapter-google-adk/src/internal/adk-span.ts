import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** The instrumentation scope (tracer name) of ADK's spans. */
export const ADK_SCOPE = 'gcp.vertex.agent';

/** ADK's vendor attributes that hold JSON copies of requests, responses, arguments, results. */
export const AdkAttributes = {
  LLM_REQUEST: 'gcp.vertex.agent.llm_request',
  LLM_RESPONSE: 'gcp.vertex.agent.llm_response',
  TOOL_CALL_ARGS: 'gcp.vertex.agent.tool_call_args',
  TOOL_RESPONSE: 'gcp.vertex.agent.tool_response',
  /** Written by the plugin: the model's full output, accumulated over streamed chunks. */
  PLUGIN_LLM_OUTPUT: 'gcp.vertex.agent.galileo.llm_output',
  /** Written by the plugin: the tool's error message (ADK records none). */
  PLUGIN_TOOL_ERROR: 'gcp.vertex.agent.galileo.tool_error',
  /** Written by the plugin on the `invocation` span: its name, proving the runner has it. */
  PLUGIN_MARKER: 'gcp.vertex.agent.galileo.plugin',
} as const;

/** The large JSON attributes removed at export once converted into Galileo's attributes. */
export const VENDOR_JSON_ATTRIBUTES: readonly string[] = [
  AdkAttributes.LLM_REQUEST,
  AdkAttributes.LLM_RESPONSE,
  AdkAttributes.TOOL_CALL_ARGS,
  AdkAttributes.TOOL_RESPONSE,
  AdkAttributes.PLUGIN_LLM_OUTPUT,
  AdkAttributes.PLUGIN_TOOL_ERROR,
  AdkAttributes.PLUGIN_MARKER,
];

/** What an ADK span stands for. */
export type AdkSpanType = 'invocation' | 'agent' | 'llm' | 'tool';

/** The kind of an ADK span from its name and scope; `undefined` for anything else. */
export function adkSpanType(span: {
  readonly name: string;
  readonly instrumentationScope?: { readonly name: string } | undefined;
}): AdkSpanType | undefined {
  if (span.instrumentationScope?.name !== ADK_SCOPE) return undefined;
  const name = span.name;
  if (name === 'call_llm') return 'llm';
  if (name === 'invocation') return 'invocation';
  if (name.startsWith('invoke_agent ')) return 'agent';
  if (name.startsWith('execute_tool ')) return 'tool';
  return undefined;
}

/** The span id of a span's parent as the SDK recorded it. */
export function parentSpanIdOf(span: ReadableSpan): string | undefined {
  // SDK 2.x before 2.1 called it `parentSpanId`; 2.1+ and 3.x expose `parentSpanContext`.
  return (
    span.parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string }).parentSpanId
  );
}
