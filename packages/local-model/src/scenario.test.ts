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
    expect(parseScenario('broken-stream')).toEqual([{ kind: 'broken-stream' }]);
    expect(parseScenario(' latency:10 , refusal ')).toEqual([
      { kind: 'latency', ms: 10 },
      { kind: 'refusal' },
    ]);
    expect(parseScenario('')).toEqual([]);
  });

  it('rejects unknown scenarios and bad arguments', () => {
    for (const bad of ['nope', 'latency:x', 'latency', '429:0', '500:1.5', 'tool:', 'refusal:1']) {
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
