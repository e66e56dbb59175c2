import { toolCall } from '@galileo-otel/core/adapter';
import { describe, expect, it } from 'vitest';
import { galileoMessages, generationMessages, toolOutputText } from './messages.js';

describe('galileoMessages', () => {
  it('turns tool-call parts into tool_calls and each tool-result part into a tool message', () => {
    expect(
      galileoMessages(
        [
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'the user wants weather' },
              { type: 'text', text: 'Checking ' },
              { type: 'text', text: 'both.' },
              { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } },
              { type: 'tool-call', toolCallId: 'c2', toolName: 'weather', args: '{"city":"Rome"}' },
            ],
          },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: 'c1', output: { type: 'json', value: { t: 3 } } },
              {
                type: 'tool-result',
                toolCallId: 'c2',
                output: { type: 'error-text', value: 'down' },
              },
            ],
          },
        ],
        'user',
      ),
    ).toEqual([
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          toolCall({ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }),
          toolCall({ id: 'c2', name: 'weather', arguments: '{"city":"Rome"}' }),
        ],
      },
      { role: 'tool', content: '{"t":3}', tool_call_id: 'c1' },
      { role: 'tool', content: 'down', tool_call_id: 'c2' },
    ]);
  });

  it('keeps plain prompts, marks files, and gives bare values the default role', () => {
    expect(galileoMessages('Hello', 'user')).toEqual([{ role: 'user', content: 'Hello' }]);
    expect(galileoMessages(['a', { city: 'Oslo' }], 'assistant')).toEqual([
      { role: 'assistant', content: 'a' },
      { role: 'assistant', content: { city: 'Oslo' } },
    ]);
    expect(
      galileoMessages(
        [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image' }] }],
        'user',
      ),
    ).toEqual([{ role: 'user', content: 'What is this?[image]' }]);
    expect(
      galileoMessages(
        [
          {
            role: 'assistant',
            content: {
              format: 2,
              parts: [{ type: 'tool-invocation', toolInvocation: { toolName: 'weather' } }],
            },
          },
          { role: 'user', parts: [{ type: 'text', text: 'Thanks.' }] },
        ],
        'user',
      ),
    ).toEqual([
      { role: 'assistant', content: '[tool-invocation]' },
      { role: 'user', content: 'Thanks.' },
    ]);
    expect(galileoMessages(undefined, 'user')).toEqual([]);
  });

  it('reads the messages out of a model_generation input', () => {
    expect(generationMessages({ messages: [{ role: 'system', content: 'Be brief.' }] })).toEqual([
      { role: 'system', content: 'Be brief.' },
    ]);
  });
});

describe('toolOutputText', () => {
  it('unwraps the AI SDK result wrapper, keeps text, and writes anything else as JSON', () => {
    expect(toolOutputText({ type: 'text', value: 'sunny' })).toBe('sunny');
    expect(toolOutputText({ city: 'Oslo' })).toBe('{"city":"Oslo"}');
    expect(toolOutputText('plain')).toBe('plain');
    expect(toolOutputText(undefined)).toBe('null');
  });
});
