import { describe, expect, it } from 'vitest';
import { type Conversation, decide, pieces, usageOf } from './policy.js';
import { fillSchema } from './schema-fill.js';
import { countTokens, paramKind, placeOf, subjectOf, topicOf } from './text.js';

function conv(partial: Partial<Conversation>): Conversation {
  return {
    system: '',
    userTexts: [],
    toolResults: [],
    tools: [],
    toolChoice: { mode: 'auto' },
    outputSchema: undefined,
    inputText: '',
    ...partial,
  };
}
const opts = { forcedTool: undefined, refusal: false };

describe('topicOf', () => {
  it('strips question lead-ins, trailing punctuation and scenario markers', () => {
    expect(topicOf('Tell me about Voyager 1.')).toBe('Voyager 1');
    expect(topicOf('What is the Great Barrier Reef?')).toBe('Great Barrier Reef');
    expect(topicOf('Could you please explain photosynthesis [scenario:latency:5]')).toBe(
      'photosynthesis',
    );
    expect(topicOf('???')).toBe('the question');
    expect(topicOf('')).toBe('the question');
    expect(topicOf("What's the Eiffel Tower?")).toBe('Eiffel Tower');
    expect(topicOf('Can you tell me something about Saturn?')).toBe('Saturn');
  });

  it('finds the place for city/location parameters', () => {
    expect(placeOf('What is the weather in Paris?')).toBe('Paris');
    expect(placeOf("How's the weather like in New York today?")).toBe('New York');
    expect(placeOf('What is the current temperature at Berlin right now?')).toBe('Berlin');
    expect(placeOf('Weather forecast for Tokyo tomorrow')).toBe('Tokyo');
    expect(placeOf('Is it raining in San Francisco?')).toBe('San Francisco');
    expect(placeOf('Tell me about Voyager 1.')).toBe('Voyager 1');
    expect(placeOf('Oslo')).toBe('Oslo');
  });

  it('finds the subject for topic/query parameters without weather filler', () => {
    expect(subjectOf('Tell me about Voyager 1.')).toBe('Voyager 1');
    expect(subjectOf('What is the weather in Paris?')).toBe('Paris');
    expect(subjectOf('What is the population of France?')).toBe('population of France');
  });

  it('classifies parameter names', () => {
    expect(['city', 'cityName', 'location', 'destination_country'].map(paramKind)).toEqual([
      'place',
      'place',
      'place',
      'place',
    ]);
    expect(['topic', 'search_query', 'q', 'subject'].map(paramKind)).toEqual([
      'subject',
      'subject',
      'subject',
      'subject',
    ]);
    expect(['lang', 'agentName', 'units', undefined].map(paramKind)).toEqual([
      'other',
      'other',
      'other',
      'other',
    ]);
  });
});

describe('fillSchema', () => {
  it('handles $ref, anyOf with null, Gemini upper-case types, bounds and arrays', () => {
    const schema = {
      type: 'object',
      properties: {
        q: { $ref: '#/$defs/Query' },
        maybe: { anyOf: [{ type: 'null' }, { type: 'number', minimum: 10 }] },
        kind: { type: 'STRING', enum: ['a', 'b'] },
        tags: { type: 'ARRAY', items: { type: 'STRING' }, minItems: 2 },
        fixed: { const: 'x' },
        max: { type: 'integer', maximum: 1 },
      },
      $defs: { Query: { type: 'object', properties: { text: { type: 'string' } } } },
    };
    expect(fillSchema(schema, 'Mars')).toEqual({
      q: { text: 'Mars' },
      maybe: 10,
      kind: 'a',
      tags: ['Mars', 'Mars'],
      fixed: 'x',
      max: 1,
    });
  });
});

describe('decide', () => {
  const tools = [
    { name: 'get_weather', description: 'Current weather for a city', parameters: {} },
    { name: 'search_docs', description: 'Search the documentation', parameters: {} },
  ];

  it('picks the tool whose name/description matches the user text', () => {
    const d = decide(conv({ userTexts: ['What is the weather in Oslo?'], tools }), opts);
    expect(d).toMatchObject({ kind: 'tool', name: 'get_weather', arguments: {} });
    const d2 = decide(conv({ userTexts: ['search the documentation for install'], tools }), opts);
    expect(d2).toMatchObject({ kind: 'tool', name: 'search_docs' });
  });

  it('answers with text once a result for an offered tool is present', () => {
    const d = decide(
      conv({
        userTexts: ['weather?'],
        tools,
        toolResults: [{ name: 'get_weather', content: 'Sunny' }],
      }),
      opts,
    );
    expect(d).toEqual({
      kind: 'text',
      text: 'Here is what I found about weather: get_weather returned "Sunny".',
    });
  });

  it('ignores results of tools this agent is not offered (e.g. an earlier handoff)', () => {
    const d = decide(
      conv({
        userTexts: ['Tell me about Voyager 1.'],
        tools,
        toolResults: [{ name: 'transfer_to_research_agent', content: '{"assistant":"research"}' }],
      }),
      opts,
    );
    expect(d.kind).toBe('tool');
  });

  it('prefers a handoff named in the user text, else regular tools, else a handoff named in the instructions', () => {
    const handoff = { name: 'transfer_to_billing_agent', description: 'Handoff', parameters: {} };
    const t = [...tools, handoff];
    expect(
      decide(conv({ userTexts: ['I have a billing question'], tools: t }), opts),
    ).toMatchObject({
      name: 'transfer_to_billing_agent',
    });
    expect(
      decide(
        conv({ userTexts: ['weather in Rome'], system: 'billing goes to billing', tools: t }),
        opts,
      ),
    ).toMatchObject({ name: 'get_weather' });
    expect(
      decide(
        conv({ userTexts: ['hello'], system: 'Send billing to billing.', tools: [handoff] }),
        opts,
      ),
    ).toMatchObject({ name: 'transfer_to_billing_agent' });
  });

  it('fills place and topic parameters from the question, other strings with the topic', () => {
    const tool = {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          topic: { type: 'string' },
          note: { type: 'string' },
          stops: { type: 'array', items: { type: 'string' } },
        },
        required: ['city', 'location'],
      },
    };
    const d = decide(conv({ userTexts: ['What is the weather in Paris?'], tools: [tool] }), opts);
    expect(d).toMatchObject({
      kind: 'tool',
      arguments: {
        city: 'Paris',
        location: 'Paris',
        topic: 'Paris',
        note: 'weather in Paris',
        stops: ['weather in Paris'],
      },
    });
  });

  it('chooses ADK transfer_to_agent with agentName; keeps transfer_to_<name> for OpenAI Agents', () => {
    const transfer = {
      name: 'transfer_to_agent',
      description: 'Transfer the question to another agent.',
      parameters: {
        type: 'object',
        properties: {
          agentName: {
            type: 'string',
            description: 'One of: billing_agent, shipping_agent.',
          },
        },
        required: ['agentName'],
      },
    };
    expect(
      decide(conv({ userTexts: ['Where is my shipping box?'], tools: [transfer] }), opts),
    ).toMatchObject({ name: 'transfer_to_agent', arguments: { agentName: 'shipping_agent' } });
    // Instructions that name an agent (by a word of its name) transfer to it.
    expect(
      decide(
        conv({ userTexts: ['hello'], system: 'Delegate billing matters.', tools: [transfer] }),
        opts,
      ),
    ).toMatchObject({ arguments: { agentName: 'billing_agent' } });
    // Instructions that delegate without naming: the best match for the user's words, else none.
    expect(
      decide(
        conv({ userTexts: ['hello'], system: 'Delegate when it helps.', tools: [transfer] }),
        opts,
      ),
    ).toMatchObject({ kind: 'text' });
    expect(
      decide(
        conv({
          userTexts: ['My billing is wrong'],
          system: 'Delegate.',
          tools: [transfer, ...tools],
        }),
        opts,
      ),
    ).toMatchObject({ name: 'transfer_to_agent', arguments: { agentName: 'billing_agent' } });
    // Forced by a scenario with nothing named: still a valid agent name, not the topic.
    expect(
      decide(conv({ userTexts: ['hello'], tools: [transfer] }), {
        ...opts,
        forcedTool: 'transfer_to_agent',
      }),
    ).toMatchObject({ arguments: { agentName: 'billing_agent' } });
    // OpenAI Agents handoffs are unchanged, and an OpenAI agent named "agent" is not ADK's tool.
    const openaiHandoff = { name: 'transfer_to_agent', description: 'Handoff', parameters: {} };
    expect(
      decide(conv({ userTexts: ['Tell me about Mars'], tools: [openaiHandoff] }), opts),
    ).toMatchObject({
      kind: 'text',
    });
  });

  it('produces structured output when an output schema is requested', () => {
    const d = decide(
      conv({
        userTexts: ['Tell me about Mars'],
        outputSchema: {
          type: 'object',
          properties: { answer: { type: 'string' }, n: { type: 'number' } },
        },
      }),
      opts,
    );
    if (d.kind !== 'text') throw new Error('expected text');
    expect(JSON.parse(d.text)).toEqual({ answer: expect.stringContaining('Mars'), n: 3 });
  });

  it('counts tokens deterministically as words plus punctuation', () => {
    // Hello , world ! It ' s 2025 .
    expect(countTokens("Hello, world! It's 2025.")).toBe(9);
    const c = conv({ userTexts: ['hi'], inputText: 'hi there' });
    const d = decide(c, opts);
    expect(usageOf(c, d)).toEqual({
      input: 2,
      output: countTokens(d.kind === 'text' ? d.text : ''),
    });
  });

  it('splits text into stream pieces that join back to the text', () => {
    const text = 'one two three four five six seven\n1. eight nine';
    expect(pieces(text).join('')).toBe(text);
    expect(pieces(text).length).toBeGreaterThan(1);
  });
});
