import { describe, expect, it } from 'vitest';
import {
  contentsToMessages,
  lastUserText,
  parseJsonAttribute,
  restoreCallIds,
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

  it('puts back the tool call ids ADK removed, pairing each response with its call', () => {
    const contents = [
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { t: 20 } } },
          { functionResponse: { name: 'get_weather', response: { t: 22 } } },
          { functionResponse: { name: 'get_time', response: { t: 'noon' } } },
        ],
      },
    ];
    restoreCallIds(contents, [
      { name: 'get_weather', id: 'adk-paris', arguments: '{"city":"Paris"}' },
      { name: 'get_weather', id: 'adk-rome', arguments: '{"city":"Rome"}' },
    ]);
    const messages = contentsToMessages(contents);
    expect(messages[1]?.tool_calls?.map((c) => c.id)).toEqual(['adk-rome', 'adk-paris', '']);
    // Responses answer the calls of their tool in order; one without a known id stays unpaired.
    expect(messages.slice(2)).toEqual([
      { role: 'tool', content: '{"t":20}', tool_call_id: 'adk-rome' },
      { role: 'tool', content: '{"t":22}', tool_call_id: 'adk-paris' },
      { role: 'tool', content: '{"t":"noon"}' },
    ]);
  });

  it('leaves ids the model gave alone', () => {
    const content = {
      role: 'model',
      parts: [{ functionCall: { id: 'own', name: 'get_weather', args: { city: 'Rome' } } }],
    };
    restoreCallIds(content, [{ name: 'get_weather', id: 'adk-1', arguments: '{"city":"Rome"}' }]);
    expect(contentsToMessages(content, 'assistant')[0]?.tool_calls?.[0]?.id).toBe('own');
  });
});
