import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { contentText, stateMessages, toGalileoMessage } from './messages.js';

// The pure mapping, on the message classes of the real @langchain/core and the other shapes
// LangChain accepts as input. The end-to-end tests cover what real runs produce.

describe('toGalileoMessage', () => {
  it('maps LangChain message types, tuples and plain objects to roles', () => {
    expect(toGalileoMessage(new HumanMessage('hi'))).toEqual({ role: 'user', content: 'hi' });
    expect(toGalileoMessage(['ai', 'hello'])).toEqual({ role: 'assistant', content: 'hello' });
    expect(toGalileoMessage({ role: 'system', content: 'be brief' })).toEqual({
      role: 'system',
      content: 'be brief',
    });
    expect(toGalileoMessage('plain text')).toEqual({ role: 'user', content: 'plain text' });
  });

  it('keeps tool calls as tool_calls (LangChain and OpenAI shapes) and the answering call id', () => {
    const asked = new AIMessage({
      content: '',
      tool_calls: [{ id: 'call_1', name: 'lookup', args: { q: 'x' }, type: 'tool_call' }],
    });
    const openAiShaped = {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_2', type: 'function', function: { name: 'lookup', arguments: '{}' } },
      ],
    };
    const call = (id: string, args: string) => ({
      id,
      type: 'function',
      function: { name: 'lookup', arguments: args },
    });
    expect(toGalileoMessage(asked)).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [call('call_1', '{"q":"x"}')],
    });
    expect(toGalileoMessage(openAiShaped).tool_calls).toEqual([call('call_2', '{}')]);
    expect(toGalileoMessage(new ToolMessage({ content: 'found', tool_call_id: 'call_1' }))).toEqual(
      {
        role: 'tool',
        content: 'found',
        tool_call_id: 'call_1',
      },
    );
  });
});

describe('contentText', () => {
  it('joins text blocks, drops tool-call blocks, and keeps other blocks as JSON without text', () => {
    expect(
      contentText([
        { type: 'text', text: 'a' },
        { type: 'functionCall', functionCall: { name: 'f' } },
        { type: 'text', text: 'b' },
      ]),
    ).toBe('ab');
    expect(contentText([{ type: 'tool_use', id: 't', name: 'f', input: {} }])).toBe('');
    expect(contentText([{ type: 'image_url', image_url: 'https://x/y.png' }])).toBe(
      '[{"type":"image_url","image_url":"https://x/y.png"}]',
    );
  });
});

describe('stateMessages', () => {
  it("reads a state's messages, a node's Command update, or falls back to text", () => {
    expect(stateMessages({ messages: [new HumanMessage('q')] }, 'user')).toEqual([
      { role: 'user', content: 'q' },
    ]);
    const command = { lg_name: 'Command', update: { messages: [new AIMessage('a')] } };
    expect(stateMessages({ output: [command] }, 'assistant')).toEqual([
      { role: 'assistant', content: 'a' },
    ]);
    expect(stateMessages({ topic: 'Voyager 1' }, 'user')).toEqual([
      { role: 'user', content: 'Voyager 1' },
    ]);
    expect(stateMessages({ messages: [] }, 'user')).toEqual([
      { role: 'user', content: '{"messages":[]}' },
    ]);
    const circular: Record<string, unknown> = { n: 1 };
    circular.self = circular;
    expect(stateMessages(circular, 'user')).toEqual([
      { role: 'user', content: '{"n":1,"self":"[Circular]"}' },
    ]);
  });
});
