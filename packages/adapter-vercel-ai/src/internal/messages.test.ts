import { messagesJson } from '@galileo-otel/core/adapter';
import { describe, expect, it } from 'vitest';
import { instructionsText, promptMessages, toGalileoMessages } from './messages.js';

/** What reaches the wire: the converted messages serialised by the kit. */
function wire(messages: unknown, defaultRole?: string): unknown {
  return JSON.parse(messagesJson(toGalileoMessages(messages, defaultRole)));
}

describe('toGalileoMessages', () => {
  it('converts AI SDK model messages with tool calls and results', () => {
    expect(
      wire([
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
      wire([
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

  it('answers a failed tool call with a tool message, never a JSON blob in content', () => {
    expect(
      wire([
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', toolCallId: 'c3', toolName: 'weather', input: {} },
            { type: 'tool-error', toolCallId: 'c3', toolName: 'weather', error: 'sensor offline' },
            { type: 'text', text: 'The sensor is offline.' },
          ],
        },
      ]),
    ).toEqual([
      {
        role: 'assistant',
        content: 'The sensor is offline.',
        tool_calls: [
          { id: 'c3', type: 'function', function: { name: 'weather', arguments: '{}' } },
        ],
      },
      { role: 'tool', content: 'sensor offline', tool_call_id: 'c3' },
    ]);
  });

  it('wraps plain strings and keeps unknown values as JSON text', () => {
    expect(wire('hello')).toEqual([{ role: 'user', content: 'hello' }]);
    expect(toGalileoMessages(undefined)).toEqual([]);
    expect(wire([{ role: 'user', content: [{ type: 'custom', x: 1 }] }])).toEqual([
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
