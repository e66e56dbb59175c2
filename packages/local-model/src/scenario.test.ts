import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  loadScenarioRules,
  parseScenario,
  ScenarioParseError,
  startLocalModel,
  validateScenarioRules,
} from './index.js';

describe('parseScenario', () => {
  it('parses every scenario kind and comma-separated combinations', () => {
    expect(parseScenario('tool:get_weather')).toEqual([{ kind: 'tool', name: 'get_weather' }]);
    expect(parseScenario('refusal')).toEqual([{ kind: 'refusal' }]);
    expect(parseScenario('latency:150')).toEqual([{ kind: 'latency', ms: 150 }]);
    expect(parseScenario('429')).toEqual([{ kind: 'rate-limit', times: undefined }]);
    expect(parseScenario('429:2')).toEqual([{ kind: 'rate-limit', times: 2 }]);
    expect(parseScenario('500')).toEqual([{ kind: 'server-error', times: undefined }]);
    expect(parseScenario('401')).toEqual([{ kind: 'unauthenticated', times: undefined }]);
    expect(parseScenario('overloaded:3')).toEqual([{ kind: 'overloaded', times: 3 }]);
    expect(parseScenario('broken-stream')).toEqual([{ kind: 'broken-stream' }]);
    expect(parseScenario(' latency:10 , refusal ')).toEqual([
      { kind: 'latency', ms: 10 },
      { kind: 'refusal' },
    ]);
    expect(parseScenario('')).toEqual([]);
  });

  it('rejects unknown scenarios and bad arguments', () => {
    for (const bad of [
      'nope',
      'latency:x',
      'latency',
      '429:0',
      '500:1.5',
      'tool:',
      'refusal:1',
      '401:x',
      '529',
    ]) {
      expect(() => parseScenario(bad)).toThrow(ScenarioParseError);
    }
  });
});

describe('scenario rules', () => {
  it('validates the shape and the scenarios it names', () => {
    expect(validateScenarioRules({ byModel: { m: '429' } })).toEqual({ byModel: { m: '429' } });
    expect(() => validateScenarioRules({ models: {} })).toThrow(/unknown key/);
    expect(() => validateScenarioRules({ byText: { x: 5 } })).toThrow(/scenario string/);
    expect(() => validateScenarioRules({ byText: { x: 'bogus' } })).toThrow(ScenarioParseError);
    expect(() => validateScenarioRules([])).toThrow(TypeError);
  });

  it('a scenario file maps model names and user-text substrings to scenarios', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-model-'));
    const file = join(dir, 'scenarios.json');
    await writeFile(
      file,
      JSON.stringify({
        byModel: { 'gpt-refuses': 'refusal' },
        byText: { weather: 'tool:get_weather' },
      }),
    );
    try {
      expect(await loadScenarioRules(file)).toEqual({
        byModel: { 'gpt-refuses': 'refusal' },
        byText: { weather: 'tool:get_weather' },
      });
      const server = await startLocalModel({ scenarioFile: file });
      try {
        const client = new OpenAI({ apiKey: 'x', baseURL: `${server.url}/v1`, maxRetries: 0 });
        const refused = await client.chat.completions.create({
          model: 'gpt-refuses',
          messages: [{ role: 'user', content: 'hi' }],
        });
        expect(refused.choices[0]?.message.refusal).toBeTruthy();
        const tools = ['search_web', 'get_weather'].map((name) => ({
          type: 'function' as const,
          function: { name, parameters: { type: 'object', properties: {} } },
        }));
        const forced = await client.chat.completions.create({
          model: 'gpt-4.1-mini',
          messages: [{ role: 'user', content: 'Search the web: is the WEATHER nice?' }],
          tools,
        });
        const call = forced.choices[0]?.message.tool_calls?.[0];
        expect(call?.type === 'function' && call.function.name).toBe('get_weather');
        // The header wins over the file.
        const viaHeader = await client.chat.completions.create(
          { model: 'gpt-refuses', messages: [{ role: 'user', content: 'hi' }] },
          { headers: { 'x-local-model-scenario': 'latency:1' } },
        );
        expect(viaHeader.choices[0]?.message.content).toContain('hi');
        expect(server.requests.map((r) => r.scenario)).toEqual([
          'refusal',
          'tool:get_weather',
          'latency:1',
        ]);
      } finally {
        await server.close();
      }
      await writeFile(file, '{"byModel": {"m": "nonsense"}}');
      await expect(startLocalModel({ scenarioFile: file })).rejects.toThrow(ScenarioParseError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('failure scenarios in every protocol', () => {
  // One scenario, each provider's own status and error body.
  const routes = (url: string) => ({
    openai: {
      url: `${url}/v1/chat/completions`,
      headers: {},
      body: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] },
    },
    gemini: {
      url: `${url}/v1beta/models/gemini-2.5-flash:generateContent`,
      headers: {},
      body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    },
    anthropic: {
      url: `${url}/v1/messages`,
      headers: { 'x-api-key': 'local', 'anthropic-version': '2023-06-01' },
      body: {
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      },
    },
  });

  it('401 and overloaded answer in the OpenAI, Gemini and Anthropic shapes', async () => {
    const server = await startLocalModel();
    try {
      const answers: Record<string, [number, unknown][]> = {};
      for (const [name, route] of Object.entries(routes(server.url))) {
        answers[name] = [];
        for (const scenario of ['401', 'overloaded']) {
          const res = await fetch(route.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-local-model-scenario': scenario,
              ...route.headers,
            },
            body: JSON.stringify(route.body),
          });
          answers[name]?.push([res.status, await res.json()]);
        }
      }
      const message = expect.any(String);
      expect(answers).toEqual({
        openai: [
          [
            401,
            {
              error: {
                message,
                type: 'invalid_request_error',
                param: null,
                code: 'invalid_api_key',
              },
            },
          ],
          [503, { error: { message, type: 'server_error', param: null, code: null } }],
        ],
        gemini: [
          [401, { error: { code: 401, message, status: 'UNAUTHENTICATED' } }],
          [503, { error: { code: 503, message, status: 'UNAVAILABLE' } }],
        ],
        anthropic: [
          [
            401,
            {
              type: 'error',
              error: { type: 'authentication_error', message },
              request_id: expect.any(String),
            },
          ],
          [
            529,
            {
              type: 'error',
              error: { type: 'overloaded_error', message },
              request_id: expect.any(String),
            },
          ],
        ],
      });
    } finally {
      await server.close();
    }
  });
});
