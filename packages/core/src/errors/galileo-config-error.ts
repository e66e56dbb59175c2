const CONFIG_ERROR_MARK = Symbol.for('galileo-otel.GalileoConfigError');

/**
 * A setting is missing or invalid. Thrown at start-up, never while tracing; the message names
 * the option and the environment variable it came from, and says how to fix it.
 */
export class GalileoConfigError extends Error {
  override name = 'GalileoConfigError';
  /** The option or environment variable at fault, e.g. `GALILEO_API_KEY`. */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
    Object.defineProperty(this, CONFIG_ERROR_MARK, { value: true });
  }

  /** True for a `GalileoConfigError` from any installed copy of `@galileo-otel/core`. */
  static isInstance(value: unknown): value is GalileoConfigError {
    return typeof value === 'object' && value !== null && CONFIG_ERROR_MARK in value;
  }
}
