import type { Finding } from './rules/finding.js';

/** The error a failing conformance test throws: every finding, worded as a review comment. */
export class ConformanceError extends Error {
  override readonly name: string = 'ConformanceError';
  /** What broke. */
  readonly findings: readonly Finding[];

  constructor(message: string, findings: readonly Finding[]) {
    super(message);
    this.findings = findings;
  }

  /** True for any copy of this class (checks survive two installed copies of the kit). */
  static isInstance(error: unknown): error is ConformanceError {
    return error instanceof Error && error.name === 'ConformanceError';
  }
}
