import { describe, expect, it } from 'vitest';
import { instructionsText, promptMessages, toGalileoMessages } from './messages.js';

describe('toGalileoMessages', () => {
  it('converts AI SDK model messages with tool calls and results', () => {
    expect(
      toGalileoMessages([
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking' },
            { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'c1',
              toolName: 'weather',
              output: { type: 'json', value: { tempC: 21 } },
            },
          ],
        },
      ]),
    ).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', content: '{"tempC":21}', tool_call_id: 'c1' },
    ]);
  });

  it('converts the semconv parts shape written by @ai-sdk/otel', () => {
    expect(
      toGalileoMessages([
        { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Calling' },
            { type: 'tool_call', id: 'c2', name: 'search', arguments: { q: 'x' } },
          ],
          finish_reason: 'tool_call',
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c2', response: 'found' }] },
        { role: 'user', parts: [{ type: 'blob', modality: 'image', mime_type: 'image/png' }] },
      ]),
    ).toEqual([
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: 'Calling',
        tool_calls: [
          { id: 'c2', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } },
        ],
      },
      { role: 'tool', content: 'found', tool_call_id: 'c2' },
      { role: 'user', content: '[image/png]' },
    ]);
  });

  it('wraps plain strings and keeps unknown values as JSON text', () => {
    expect(toGalileoMessages('hello')).toEqual([{ role: 'user', content: 'hello' }]);
    expect(toGalileoMessages(undefined)).toEqual([]);
    expect(toGalileoMessages([{ role: 'user', content: [{ type: 'custom', x: 1 }] }])).toEqual([
      { role: 'user', content: '{"type":"custom","x":1}' },
    ]);
  });
});

describe('instructions', () => {
  it('reads strings, system messages and semconv parts', () => {
    expect(instructionsText('Be brief.')).toBe('Be brief.');
    expect(instructionsText({ role: 'system', content: 'A' })).toBe('A');
    expect(
      instructionsText([
        { type: 'text', content: 'A' },
        { type: 'text', content: 'B' },
      ]),
    ).toBe('A\nB');
    expect(instructionsText('')).toBeUndefined();
  });

  it('puts the system prompt first unless the messages already start with one', () => {
    expect(promptMessages('S', [{ role: 'user', content: 'U' }])).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U' },
    ]);
    expect(
      promptMessages('S', [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'U' },
      ]),
    ).toHaveLength(2);
  });
});
