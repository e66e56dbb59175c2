import { galileoKind } from '@galileo-otel/core';
import { describe, expect, it } from 'vitest';
import { mapSpan } from './map-span.js';
import { type MastraSpanData, spanRoles } from './mastra-span.js';

const base = { id: 'a1', traceId: 't1', startTime: new Date(1000), endTime: new Date(2000) };
const roles = spanRoles({ dropSpanTypes: [], llmSpanType: 'model_inference' });

describe('spanRoles', () => {
  it('maps every Mastra type to a role, unknown types to workflow', () => {
    expect(
      [
        'agent_run',
        'workflow_run',
        'workflow_step',
        'workflow_loop',
        'model_generation',
        'model_step',
        'model_inference',
        'model_chunk',
        'tool_call',
        'mcp_tool_call',
        'client_tool_call',
        'provider_tool_call',
        'processor_run',
        'memory_operation',
        'generic',
        'something_new',
      ].map(roles),
    ).toEqual([
      'agent',
      'workflow',
      'workflow',
      'workflow',
      'drop',
      'drop',
      'llm',
      'drop',
      'tool',
      'tool',
      'tool',
      'tool',
      'workflow',
      'workflow',
      'workflow',
      'workflow',
    ]);
  });

  it('switches the llm level and never keeps two model levels', () => {
    const gen = spanRoles({ dropSpanTypes: ['memory_operation'], llmSpanType: 'model_generation' });
    expect(
      ['model_generation', 'model_step', 'model_inference', 'memory_operation'].map(gen),
    ).toEqual(['llm', 'drop', 'drop', 'drop']);
  });
});

describe('mapSpan', () => {
  it('maps an MCP tool call with its server and a failure without errorInfo', () => {
    const span: MastraSpanData = {
      ...base,
      name: "mcp tool: 'search'",
      type: 'mcp_tool_call',
      entityName: 'search',
      attributes: { mcpServer: 'docs', toolCallId: 'c-1', success: false },
      input: { q: 'otel' },
    };
    const mapped = mapSpan(span, 'tool');
    expect(mapped.name).toBe('execute_tool search');
    expect(galileoKind(mapped)).toBe('tool');
    expect(mapped.attributes).toMatchObject({
      'gen_ai.tool.name': 'search',
      'gen_ai.tool.call.id': 'c-1',
      'gen_ai.tool.type': 'extension',
      'gen_ai.tool.call.arguments': '{"q":"otel"}',
      'mastra.mcp.server': 'docs',
    });
    expect(mapped.error).toEqual({ message: 'tool call failed', type: 'Error' });
  });

  it('maps errorInfo to an error with its name as error.type', () => {
    const mapped = mapSpan(
      {
        ...base,
        name: "agent run: 'a'",
        type: 'agent_run',
        entityId: 'a',
        errorInfo: { message: 'model down', name: 'APICallError' },
      },
      'agent',
    );
    expect(mapped.name).toBe('invoke_agent a');
    expect(mapped.error).toEqual({ message: 'model down', type: 'APICallError' });
  });

  it("takes the class a step threw from the stack Mastra copies onto its generic 'Error'", () => {
    const mapped = mapSpan(
      {
        ...base,
        name: "workflow step: 'close'",
        type: 'workflow_step',
        errorInfo: {
          message: 'closed',
          name: 'Error',
          id: 'WORKFLOW_STEP_INVOKE_FAILED',
          stack: 'LedgerClosedError: closed\n    at execute (step.ts:1:1)',
        },
      },
      'workflow',
    );
    expect(mapped.error?.type).toBe('LedgerClosedError');
  });

  it('leaves a failed model call without errorInfo waiting for its cause', () => {
    const mapped = mapSpan(
      {
        ...base,
        name: 'inference: 0',
        type: 'model_inference',
        attributes: { finishReason: 'error' },
      },
      'llm',
    );
    expect(mapped.error).toBeUndefined();
    expect(mapped.awaitsCause).toBe(true);
    expect(mapped.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('takes llm input from the step, output from text or tool calls, usage and time to first chunk', () => {
    const mapped = mapSpan(
      {
        ...base,
        name: 'inference: 0',
        type: 'model_inference',
        attributes: {
          model: 'gpt-4.1-mini',
          provider: 'openai',
          responseModel: 'gpt-4.1-mini-2025',
          finishReason: 'tool-calls',
          usage: { inputTokens: 12, outputTokens: 7 },
          completionStartTime: new Date(1250),
        },
        output: { text: '', toolCalls: [{ toolName: 'weather', args: { city: 'Oslo' } }] },
      },
      'llm',
      { stepInput: [{ role: 'user', content: 'Weather in Oslo?' }] },
    );
    expect(mapped.name).toBe('chat gpt-4.1-mini');
    expect(galileoKind(mapped)).toBe('llm');
    expect(mapped.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.response.model': 'gpt-4.1-mini-2025',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.total_tokens': 19,
      'gen_ai.response.finish_reasons': ['tool-calls'],
      'gen_ai.client.operation.time_to_first_chunk': 0.25,
    });
    expect(JSON.parse(String(mapped.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
    ]);
    expect(String(mapped.attributes['gen_ai.output.messages'])).toContain('Oslo');
    expect(mapped.error).toBeUndefined();
  });

  it('keeps the Mastra name of non-workflow spans shown as workflow, with metadata and tags', () => {
    const mapped = mapSpan(
      {
        ...base,
        name: "memory: 'recall'",
        type: 'memory_operation',
        metadata: { userId: 'u-1', runId: 'r-1', nested: { a: 1 } },
        tags: ['prod'],
        input: 'q',
      },
      'workflow',
    );
    expect(mapped.name).toBe("memory: 'recall'");
    expect(galileoKind(mapped)).toBe('workflow');
    expect(mapped.attributes).toMatchObject({
      'mastra.span.type': 'memory_operation',
      'mastra.metadata.userId': 'u-1',
      'mastra.metadata.nested': '{"a":1}',
      'mastra.tags': ['prod'],
      'user.id': 'u-1',
    });
  });
});
