import { readFile } from 'node:fs/promises';
import { parseScenario } from './scenario.js';

/**
 * Scenario selection by request content, for clients that cannot send the
 * `x-local-model-scenario` header. Keys are matched in insertion order; the first hit wins.
 */
export interface ScenarioRules {
  /** Model name (exact, without any `@scenario` suffix) to scenario, e.g. `{"gpt-4.1-mini": "latency:50"}`. */
  byModel?: Record<string, string>;
  /** Substring of any user message (case-insensitive) to scenario, e.g. `{"Voyager": "tool:delegate_research"}`. */
  byText?: Record<string, string>;
}

/**
 * Reads and validates a scenario file: JSON of the {@link ScenarioRules} shape.
 * Throws when the file is not valid JSON, has another shape, or names an unknown scenario.
 */
export async function loadScenarioRules(path: string): Promise<ScenarioRules> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  return validateScenarioRules(parsed, path);
}

/** Checks that a value has the {@link ScenarioRules} shape and only known scenarios. */
export function validateScenarioRules(value: unknown, source = 'scenario rules'): ScenarioRules {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${source}: expected an object with "byModel" and/or "byText"`);
  }
  const rules: ScenarioRules = {};
  for (const key of Object.keys(value)) {
    if (key !== 'byModel' && key !== 'byText') {
      throw new TypeError(`${source}: unknown key "${key}" (expected "byModel" or "byText")`);
    }
    const map: unknown = (value as Record<string, unknown>)[key];
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new TypeError(`${source}: "${key}" must be an object of string to scenario`);
    }
    const out: Record<string, string> = {};
    for (const [match, scenario] of Object.entries(map)) {
      if (typeof scenario !== 'string') {
        throw new TypeError(`${source}: "${key}.${match}" must be a scenario string`);
      }
      parseScenario(scenario);
      out[match] = scenario;
    }
    rules[key] = out;
  }
  return rules;
}
