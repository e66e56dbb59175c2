import { describe, expect, it } from 'vitest';
import { generationContent, responseContent } from './messages.js';

// Pure mapping of the SDK's span data to Galileo messages, for the item shapes the local model
// server never produces (text next to a call, hosted tools, structured tool output). The shapes
// are the SDK 0.20 protocol items (`_input`) and the Responses API output items (`_response`).

const OSLO = '{"city":"Oslo"}';

/** The canonical tool call these tests expect. */
function fnCall(id: string, name: string, args: string) {
  return { id, type: 'function', function: { name, arguments: args } };
}

/** An assistant message that only asks for tools. */
function asks(...calls: ReturnType<typeof fnCall>[]) {
  return { role: 'assistant', content: '', tool_calls: calls };
}

describe('responseContent', () => {
  it('puts the text and the calls of one model turn on one assistant message', () => {
    const call = (id: string, args: string) => ({
      type: 'function_call',
      id: `fc_${id}`,
      call_id: id,
      name: 'get_weather',
      arguments: args,
    });
    const content = responseContent({
      type: 'response',
      _response: {
        model: 'gpt-4.1-mini',
        output: [
          {
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_text', text: 'On it.' }],
          },
          call('call_a', OSLO),
          call('call_b', '{"city":"Rome"}'),
        ],
      },
    });
    expect(content.output).toEqual([
      {
        role: 'assistant',
        content: 'On it.',
        tool_calls: [
          fnCall('call_a', 'get_weather', OSLO),
          fnCall('call_b', 'get_weather', '{"city":"Rome"}'),
        ],
      },
    ]);
    expect(content.toolCalls.map((c) => c.id)).toEqual(['call_a', 'call_b']);
  });

  it('answers each call in the next input with a tool message carrying its id', () => {
    const content = responseContent({
      type: 'response',
      _input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?' },
        { type: 'function_call', callId: 'call_a', name: 'get_weather', arguments: OSLO },
        {
          type: 'function_call_result',
          callId: 'call_a',
          status: 'completed',
          output: { type: 'text', text: 'Cold.' },
        },
      ],
    });
    expect(content.systemInstructions).toBe('Be brief.');
    expect(content.input).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      asks(fnCall('call_a', 'get_weather', OSLO)),
      { role: 'tool', content: 'Cold.', tool_call_id: 'call_a' },
    ]);
  });

  it('makes hosted and computer tool calls tool_calls too, never a JSON blob in content', () => {
    const screenshot = { type: 'computer_screenshot', image_url: 'x' };
    const content = responseContent({
      type: 'response',
      _input: [
        { type: 'hosted_tool_call', id: 'ws_1', name: 'web_search_call', arguments: '{"q":1}' },
        { type: 'computer_call', callId: 'cu_1', action: { type: 'screenshot' } },
        { type: 'computer_call_result', callId: 'cu_1', output: screenshot },
      ],
    });
    expect(content.input).toEqual([
      asks(
        fnCall('ws_1', 'web_search_call', '{"q":1}'),
        fnCall('cu_1', 'computer', '{"type":"screenshot"}'),
      ),
      { role: 'tool', content: screenshot, tool_call_id: 'cu_1' },
    ]);
  });
});

describe('generationContent', () => {
  it('keeps Chat Completions tool_calls and tool_call_id, with text content', () => {
    const call = fnCall('call_a', 'get_weather', OSLO);
    const content = generationContent({
      type: 'generation',
      model: 'gpt-4.1-mini',
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_a', content: 'Cold.' },
      ],
      output: [
        {
          id: 'chatcmpl-1',
          choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'Cold.' } }],
        },
      ],
    });
    expect(content.systemInstructions).toBe('Be brief.');
    expect(content.input).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      asks(call),
      { role: 'tool', content: 'Cold.', tool_call_id: 'call_a' },
    ]);
    expect(content.output).toEqual([{ role: 'assistant', content: 'Cold.' }]);
    expect(content.toolCalls).toEqual([]);
  });
});
