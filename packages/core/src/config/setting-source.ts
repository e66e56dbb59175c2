/** Where a resolved setting came from: an option, an environment variable, or the default. */
export type SettingSource = 'option' | `env:${string}` | 'default';

/** A setting's value and where it came from. */
export interface PickedSetting {
  value: string | undefined;
  source: SettingSource;
}

/**
 * The first non-blank of an option and then environment variables, in order, trimmed; else
 * `fallback`, from `default`.
 */
export function firstSetting(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  fallback?: string,
): PickedSetting {
  const fromOption = option?.trim();
  if (fromOption) return { value: fromOption, source: 'option' };
  for (const name of names) {
    const fromEnv = env[name]?.trim();
    if (fromEnv) return { value: fromEnv, source: `env:${name}` };
  }
  return { value: fallback, source: 'default' };
}
