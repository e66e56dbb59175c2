// AI SDK provider ids look like `openai.chat`, `google.generative-ai`, `amazon-bedrock`; the
// GenAI semconv names the vendor. Longest, most specific prefixes first.
const KNOWN: ReadonlyArray<readonly [string, string]> = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['google-vertex', 'gcp.vertex_ai'],
  ['vertex', 'gcp.vertex_ai'],
  ['google', 'gcp.gemini'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['bedrock', 'aws.bedrock'],
  ['azure-openai', 'azure.ai.openai'],
  ['azure', 'azure.ai.openai'],
  ['mistral', 'mistral_ai'],
  ['xai', 'x_ai'],
];

/** The GenAI semconv provider name for an AI SDK provider id (`openai.chat` → `openai`). */
export function providerName(provider: unknown): string | undefined {
  if (typeof provider !== 'string' || provider === '') return undefined;
  const lower = provider.toLowerCase();
  for (const [prefix, name] of KNOWN) {
    if (lower === prefix || lower.startsWith(`${prefix}.`) || lower.startsWith(`${prefix}-`)) {
      return name;
    }
  }
  const dot = lower.indexOf('.');
  return dot > 0 ? lower.slice(0, dot) : lower;
}
