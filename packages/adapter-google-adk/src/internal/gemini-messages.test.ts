import { describe, expect, it } from 'vitest';
import {
  contentsToMessages,
  lastUserText,
  parseJsonAttribute,
  systemInstructionText,
  usageOf,
} from './gemini-messages.js';

describe('Gemini contents → Galileo messages', () => {
  it('maps model to assistant, function calls to tool_calls and responses to tool messages', () => {
    const messages = contentsToMessages([
      { role: 'user', parts: [{ text: 'Weather in ' }, { text: 'Paris?' }] },
      {
        role: 'model',
        parts: [{ functionCall: { id: 'c1', name: 'get_weather', args: { city: 'Paris' } } }],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { id: 'c1', name: 'get_weather', response: { t: 22 } } }],
      },
      { role: 'model', parts: [{ text: 'thinking', thought: true }, { text: 'Sunny.' }] },
      { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', content: '{"t":22}', tool_call_id: 'c1' },
      { role: 'assistant', content: 'Sunny.' },
      { role: 'user', content: '[image/png]' },
    ]);
    expect(lastUserText(messages)).toBe('[image/png]');
    expect(lastUserText(messages.slice(0, 3))).toBe('Weather in Paris?');
  });

  it('reads system instructions given as text, a Content or a Part', () => {
    expect(systemInstructionText('Be brief.')).toBe('Be brief.');
    expect(systemInstructionText({ parts: [{ text: 'A' }, { text: 'B' }] })).toBe('AB');
    expect(systemInstructionText({ text: 'Part' })).toBe('Part');
    expect(systemInstructionText(undefined)).toBeUndefined();
  });

  it('treats ADK’s "{}" placeholders and broken JSON as absent', () => {
    expect(parseJsonAttribute('{}')).toBeUndefined();
    expect(parseJsonAttribute('{not json')).toBeUndefined();
    expect(parseJsonAttribute('[1]')).toBeUndefined();
    expect(parseJsonAttribute('{"a":1}')).toEqual({ a: 1 });
  });

  it('reads usage from usageMetadata', () => {
    expect(usageOf({ promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 })).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      totalTokens: 7,
    });
    expect(usageOf({})).toBeUndefined();
  });
});
