import { afterAll, beforeAll, describe, it } from 'vitest';
import { ConformanceError } from './conformance-error.js';
import {
  type ConformanceOptions,
  type ConformanceScenario,
  createConformanceSuite,
} from './create-conformance-suite.js';
import { formatFindings } from './format-findings.js';

/**
 * Registers the conformance suite as vitest tests: one `describe` with one `it` per scenario
 * (a skipped `it` naming the reason for each capability the driver declared unsupported). Call
 * it at the top level of a test file.
 *
 * @example
 * import { runAdapterConformance } from '@galileo-otel/adapter-testkit';
 * runAdapterConformance({ name: 'my-framework', driver });
 */
export function runAdapterConformance(options: ConformanceOptions): void {
  const suite = createConformanceSuite(options);
  const timeout = options.timeoutMillis ?? 60_000;
  describe(`${options.name} adapter conformance`, () => {
    beforeAll(async () => {
      for (const s of suite.scenarios) {
        if (s.unsupported) {
          console.warn(
            `[adapter-testkit] ${options.name}: skipping "${s.title}": ${s.unsupported}`,
          );
        }
      }
      await suite.start();
    }, timeout);
    afterAll(() => suite.stop(), timeout);
    for (const scenario of suite.scenarios) register(options.name, scenario, timeout);
  });
}

function register(name: string, scenario: ConformanceScenario, timeout: number): void {
  if (scenario.unsupported) {
    it.skip(`${scenario.title} (unsupported: ${scenario.unsupported})`, () => {});
    return;
  }
  it(
    scenario.title,
    async () => {
      const result = await scenario.run();
      if (result.findings.length > 0) {
        throw new ConformanceError(
          formatFindings(`${name}: ${scenario.title}`, result.findings, result.spans),
          result.findings,
        );
      }
    },
    timeout,
  );
}
