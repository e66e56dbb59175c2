/** Where a resolved setting came from: an option, an environment variable, or the default. */
export type SettingSource = 'option' | `env:${string}` | 'default';
