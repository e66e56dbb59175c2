import { toolCall } from '@galileo-otel/core/adapter';
import { describe, expect, it } from 'vitest';
import { assistantTurn, Conversation } from './conversation.js';

describe('Conversation', () => {
  it('answers each call of a turn right after it, in the order the model asked', () => {
    const conversation = new Conversation([{ role: 'user', content: 'Oslo and Rome?' }]);
    conversation.answer('c2', '{"t":20}');
    conversation.addTurn({
      text: '',
      toolCalls: [
        { toolCallId: 'c1', toolName: 'weather', args: { city: 'Oslo' } },
        { toolCallId: 'c2', toolName: 'weather', args: { city: 'Rome' } },
      ],
    });
    conversation.answer('c1', '{"t":3}');
    conversation.answer('unasked', 'ignored');
    conversation.addTurn({ text: 'Cold in Oslo, warm in Rome.', toolCalls: [] });
    expect(conversation.history()).toEqual([
      { role: 'user', content: 'Oslo and Rome?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          toolCall({ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }),
          toolCall({ id: 'c2', name: 'weather', arguments: '{"city":"Rome"}' }),
        ],
      },
      { role: 'tool', content: '{"t":3}', tool_call_id: 'c1' },
      { role: 'tool', content: '{"t":20}', tool_call_id: 'c2' },
      { role: 'assistant', content: 'Cold in Oslo, warm in Rome.' },
    ]);
    expect(conversation.replies()).toHaveLength(4);
  });
});

describe('assistantTurn', () => {
  it('keeps text and tool calls together, and says nothing for a call that produced neither', () => {
    expect(
      assistantTurn({ text: 'Let me check.', toolCalls: [{ toolCallId: 'c1', toolName: 'w' }] }),
    ).toEqual({
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [toolCall({ id: 'c1', name: 'w', arguments: '{}' })],
    });
    expect(assistantTurn({ text: '', toolCalls: [] })).toBeUndefined();
    expect(assistantTurn(undefined)).toBeUndefined();
    expect(assistantTurn({ object: { a: 1 } })).toEqual({
      role: 'assistant',
      content: { object: { a: 1 } },
    });
  });
});
