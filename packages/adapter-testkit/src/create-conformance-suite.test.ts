import { describe, expect, it } from 'vitest';
import {
  type ConformanceOptions,
  createConformanceSuite,
  type ScenarioId,
  type ScenarioResult,
} from './create-conformance-suite.js';
import type { AdapterDriver } from './driver/adapter-driver.js';
import { DriverTodoError, todo } from './driver/todo.js';
import { unsupported } from './driver/unsupported.js';
import type { ConformanceRule } from './rules/finding.js';
import type { Breakage } from './test-support/fake-bridge-adapter.js';
import { fakeDriver } from './test-support/fake-driver.js';

async function runScenarios(
  options: ConformanceOptions,
  only?: readonly ScenarioId[],
): Promise<Map<ScenarioId, ScenarioResult>> {
  const suite = createConformanceSuite(options);
  await suite.start();
  const results = new Map<ScenarioId, ScenarioResult>();
  try {
    for (const scenario of suite.scenarios) {
      if (only && !only.includes(scenario.id)) continue;
      results.set(scenario.id, await scenario.run());
    }
  } finally {
    await suite.stop();
  }
  return results;
}

describe('the conformance suite on a correct bridge adapter', () => {
  it('passes every scenario with real spans on the wire', async () => {
    const results = await runScenarios({ name: 'fake', driver: fakeDriver() });
    expect([...results.keys()]).toEqual([
      'agent-with-tool',
      'throwing-tool',
      'failing-model',
      'streamed',
      'concurrent',
      'traceparent',
      'secret',
      'flush',
      'offline',
    ]);
    for (const [id, result] of results) {
      expect({ id, findings: result.findings.map((f) => f.message) }).toEqual({ id, findings: [] });
      if (id === 'failing-model') expect(result.spans.length, id).toBe(2);
      else if (id !== 'offline') expect(result.spans.length, id).toBeGreaterThanOrEqual(4);
    }
    expect(results.get('concurrent')?.spans.length).toBe(12);
  });
});

describe('the conformance suite on deliberately broken adapters', () => {
  const cases: {
    breakage: Breakage;
    scenario: ScenarioId;
    rule: ConformanceRule;
    says: RegExp;
    /** Scenarios run before `scenario` (the offline check reads what the others sent). */
    after?: ScenarioId[];
    /** Other rules the breakage breaks as a consequence (`any` where it varies run to run). */
    also?: ConformanceRule[] | 'any';
  }[] = [
    {
      breakage: 'wrong-kind',
      scenario: 'agent-with-tool',
      rule: 'kinds',
      says: /expected at least one `llm` span .* saw `chat gpt-4\.1-mini` → workflow \(gen_ai\.operation\.name=generate_text\)/,
    },
    {
      breakage: 'orphan',
      scenario: 'agent-with-tool',
      rule: 'orphans',
      says: /llm span `chat gpt-4\.1-mini` \(id [0-9a-f]{16}, parent ([0-9a-f]{16})\) is an orphan: its parent \1 was never exported/,
      also: ['parentage'],
    },
    {
      breakage: 'split-trace',
      scenario: 'agent-with-tool',
      rule: 'single-trace',
      says: /expected one trace id for this run; saw 2: .*\(1 span: `execute_tool lookup_facts`\)/,
      also: ['parentage'],
    },
    {
      breakage: 'messages-shape',
      scenario: 'agent-with-tool',
      rule: 'messages',
      says: /llm span `chat gpt-4\.1-mini` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should carry `gen_ai\.input\.messages` as a JSON array of \{role, content\} with `content` a string; item 0 \(role user\) has `parts`; a message has `role` and `content` and may add only `tool_calls` and `tool_call_id`\. Build messages as/,
    },
    {
      breakage: 'tool-call-in-content',
      scenario: 'agent-with-tool',
      rule: 'messages',
      says: /llm span `chat gpt-4\.1-mini` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should carry `gen_ai\.output\.messages` as .*; item 0 \(role assistant\) has a tool call JSON-encoded in `content` \(it has `toolCallId`\): \[\{"type":"tool-call".* Put the model's calls on the assistant message as `tool_calls`/,
    },
    {
      breakage: 'unanswered-tool-call',
      scenario: 'agent-with-tool',
      rule: 'messages',
      says: /llm span `chat gpt-4\.1-mini` \(id ([0-9a-f]{16}), parent [0-9a-f]{16}\) is the model call after llm span `chat gpt-4\.1-mini` \(id (?!\1)[0-9a-f]{16}, parent [0-9a-f]{16}\) asked for `lookup_facts` with call id `(call_[0-9a-f]+)`, so its `gen_ai\.input\.messages` should hold a `tool` message with `tool_call_id` "\2" answering it; saw messages user, assistant \(tool_calls lookup_facts#\2\), tool \(no tool_call_id\)\./,
    },
    {
      breakage: 'no-error-status',
      scenario: 'throwing-tool',
      rule: 'tool-error',
      says: /tool span `execute_tool flaky_lookup` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should have status ERROR \(2\) because the tool threw; saw status UNSET \(0\)\. Call `recordSpanError\(span, error\)`/,
      also: ['tool-io'],
    },
    {
      breakage: 'model-error-unmarked',
      scenario: 'failing-model',
      rule: 'model-error',
      says: /llm span `chat gpt-4\.1-mini` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should have status ERROR \(2\) because the model call failed \(the local model answered 500\); saw status UNSET \(0\)/,
      also: ['shapes'],
    },
    {
      breakage: 'no-exception-event',
      scenario: 'failing-model',
      rule: 'error-shape',
      says: /llm span `chat gpt-4\.1-mini` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) has status ERROR \(2\) \("Error: model answered 500"\), so it should carry a non-empty `error\.type` \(the error's class\) and an `exception` event with `exception\.message` and `exception\.type`; saw no `exception` event\. Call `recordSpanError\(span, error\)`/,
    },
    {
      breakage: 'leaked-secret',
      scenario: 'secret',
      rule: 'redaction',
      says: /agent span `invoke_agent research_agent: Tell me about Sputnik 1\. My OpenAI key is <secret>` .* leaks the secret from the user input in its name/,
    },
    {
      breakage: 'cross-talk',
      scenario: 'concurrent',
      rule: 'isolation',
      says: /in the trace of the run about "[^"]+" carries "[^"]+" from another concurrent run/,
      also: 'any',
    },
    {
      breakage: 'late-spans',
      scenario: 'flush',
      rule: 'flush',
      says: /1 span of the run ended after `forceFlush\(\)` returned .*agent span `invoke_agent research_agent`/,
    },
    {
      breakage: 'llm-beside-agent',
      scenario: 'agent-with-tool',
      rule: 'parentage',
      says: /llm span `chat gpt-4\.1-mini` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should sit under an agent span \(`invoke_agent …`\); its ancestors are `run research_agent` \(workflow\)/,
    },
    {
      breakage: 'ignores-traceparent',
      scenario: 'traceparent',
      rule: 'traceparent',
      says: /span `[^`]+` \(id [0-9a-f]{16}, [^)]+\) should be in the caller's trace ([0-9a-f]{32}) \(from `traceparent`\); it is in trace (?!\1)[0-9a-f]{32}/,
    },
    {
      breakage: 'phones-home',
      scenario: 'offline',
      after: ['agent-with-tool'],
      rule: 'offline',
      says: /saw 1 elsewhere: http:\/\/telemetry\.fake-framework\.test\/v1\/beacon\./,
    },
    {
      breakage: 'no-tool-arguments',
      scenario: 'agent-with-tool',
      rule: 'tool-io',
      says: /tool span `execute_tool lookup_facts` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should carry `gen_ai\.tool\.call\.arguments` \(the call's arguments as JSON text, `\{\}` for none\); saw gen_ai\.tool\.call\.arguments=none and gen_ai\.tool\.call\.result=Facts about Voyager 1/,
    },
    {
      breakage: 'no-tool-result',
      scenario: 'agent-with-tool',
      rule: 'tool-io',
      says: /tool span `execute_tool lookup_facts` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should carry `gen_ai\.tool\.call\.result` \(the tool's return value as text\); saw gen_ai\.tool\.call\.arguments=\{"topic":"Voyager 1"\} and gen_ai\.tool\.call\.result=none\./,
    },
    {
      breakage: 'no-model',
      scenario: 'agent-with-tool',
      rule: 'shapes',
      says: /llm span `chat gpt-4\.1-mini` .* should carry `gen_ai\.request\.model`; saw none/,
    },
    {
      breakage: 'no-provider',
      scenario: 'agent-with-tool',
      rule: 'shapes',
      says: /llm span `chat gpt-4\.1-mini` .* should carry `gen_ai\.provider\.name`; saw none/,
    },
    {
      breakage: 'error-without-type',
      scenario: 'throwing-tool',
      rule: 'error-shape',
      says: /tool span `execute_tool flaky_lookup` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) has status ERROR \(2\) \("RangeError: lookup backend down"\), .*; saw no `error\.type` and no `exception` event\./,
    },
  ];

  it.each(cases)('catches the $breakage adapter in the $scenario scenario', async (c) => {
    const results = await runScenarios({ name: c.breakage, driver: fakeDriver(c.breakage) }, [
      ...(c.after ?? []),
      c.scenario,
    ]);
    const findings = results.get(c.scenario)?.findings ?? [];
    const hit = findings.find((f) => f.rule === c.rule);
    expect(hit?.message, JSON.stringify(findings, null, 2)).toMatch(c.says);
    // The variant breaks its rule and only what follows from it, so each check is shown to
    // matter on its own: the correct adapter passes them all (above).
    if (c.also !== 'any') {
      expect(new Set(findings.map((f) => f.rule))).toEqual(new Set([c.rule, ...(c.also ?? [])]));
    }
  });

  it('reports the late spans only as a flush problem, not as orphans elsewhere', async () => {
    const results = await runScenarios({ name: 'late', driver: fakeDriver('late-spans') }, [
      'agent-with-tool',
      'flush',
    ]);
    expect(results.get('agent-with-tool')?.findings).toEqual([]);
    expect(results.get('flush')?.findings.map((f) => f.rule)).toEqual(['flush']);
  });
});

describe('the concurrency option', () => {
  it('starts as many concurrent runs as asked, past the named topics, each in its own trace', async () => {
    const results = await runScenarios({ name: 'wide', driver: fakeDriver(), concurrency: 12 }, [
      'concurrent',
    ]);
    const result = results.get('concurrent');
    expect(result?.findings).toEqual([]);
    expect(new Set(result?.spans.map((s) => s.traceId)).size).toBe(12);
    expect(result?.spans.length).toBe(48);
  });

  it('refuses a concurrency that is not a whole number of at least 2', () => {
    for (const concurrency of [1, 2.5, Number.NaN]) {
      expect(() =>
        createConformanceSuite({ name: 'x', driver: fakeDriver(), concurrency }),
      ).toThrow(/^concurrency must be a whole number of at least 2 .*; got (1|2\.5|NaN)\.$/);
    }
    const suite = createConformanceSuite({ name: 'x', driver: fakeDriver(), concurrency: 9 });
    expect(suite.scenarios.find((s) => s.id === 'concurrent')?.title).toBe(
      'keeps 9 concurrent runs in separate traces without cross-talk',
    );
  });
});

describe('driver capabilities', () => {
  it('records a declared unsupported capability with its reason', () => {
    const driver: AdapterDriver = {
      ...fakeDriver(),
      runStreamed: unsupported('the framework has no streaming API'),
    };
    const suite = createConformanceSuite({ name: 'no-stream', driver });
    const streamed = suite.scenarios.find((s) => s.id === 'streamed');
    expect(streamed?.unsupported).toBe('the framework has no streaming API');
    expect(suite.scenarios.filter((s) => s.unsupported)).toHaveLength(1);
  });

  it('fails a scenario whose driver function is missing, saying how to declare it', async () => {
    const driver = { ...fakeDriver(), runUnderTraceparent: undefined } as unknown as AdapterDriver;
    const results = await runScenarios({ name: 'partial', driver }, ['traceparent']);
    expect(results.get('traceparent')?.findings[0]?.message).toMatch(
      /driver\.runUnderTraceparent is missing: implement it, or declare `runUnderTraceparent: unsupported\('why the framework cannot'\)`/,
    );
  });

  it('lets a todo() in the driver fail the scenario, even where the run may throw', async () => {
    const driver: AdapterDriver = {
      ...fakeDriver(),
      runThrowingTool: async () => todo('run an agent whose tool throws'),
    };
    const suite = createConformanceSuite({ name: 'todo', driver });
    await suite.start();
    try {
      const scenario = suite.scenarios.find((s) => s.id === 'throwing-tool');
      const error = await scenario?.run().catch((e: unknown) => e);
      expect(DriverTodoError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe('TODO: run an agent whose tool throws');
    } finally {
      await suite.stop();
    }
  });

  it('reports a run that rejects where it must succeed', async () => {
    const driver: AdapterDriver = {
      ...fakeDriver(),
      runStreamed: async () => {
        throw new TypeError('stream closed early');
      },
    };
    const results = await runScenarios({ name: 'reject', driver }, ['streamed']);
    expect(results.get('streamed')?.findings[0]?.message).toBe(
      'driver.runStreamed() rejected: TypeError: stream closed early. The run itself must succeed in this scenario.',
    );
  });

  it('flags a run that never calls the local model', async () => {
    const driver: AdapterDriver = { ...fakeDriver(), runAgentWithTool: async () => undefined };
    const results = await runScenarios({ name: 'idle', driver }, ['agent-with-tool']);
    const rules = results.get('agent-with-tool')?.findings.map((f) => f.rule);
    expect(rules).toContain('model');
    expect(rules).toContain('kinds');
  });
});
