import { fillSchema } from './schema-fill.js';
import { countTokens, hashOf, sameWord, stripMarkers, topicOf, wordsOf } from './text.js';

/** A function tool offered to the model, in a provider-neutral shape. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: unknown;
}

/** A tool result found in the conversation. `name` is undefined when it cannot be resolved. */
export interface ToolResult {
  name: string | undefined;
  content: string;
}

/** How the request constrains tool use. */
export type ToolChoice =
  | { mode: 'auto' }
  | { mode: 'none' }
  | { mode: 'required'; allowed?: string[] }
  | { mode: 'tool'; name: string };

/** A request reduced to what the policy needs. */
export interface Conversation {
  /** System / developer instructions, joined. */
  system: string;
  /** Text of every user message, in order. */
  userTexts: string[];
  /** Tool results after the last user text message. */
  toolResults: ToolResult[];
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  /** JSON schema the answer must follow (structured output), if any. */
  outputSchema: unknown;
  /** Every input text (for token counting). */
  inputText: string;
}

/** What the model answers. */
export type Decision =
  | { kind: 'text'; text: string }
  | { kind: 'refusal'; text: string }
  | { kind: 'tool'; name: string; arguments: Record<string, unknown>; argumentsJson: string };

/** Refusal text used by the `refusal` scenario. */
export const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

const HANDOFF_PREFIX = 'transfer_to_';

function lastUserText(conv: Conversation): string {
  for (let i = conv.userTexts.length - 1; i >= 0; i--) {
    const t = stripMarkers(conv.userTexts[i] ?? '');
    if (t !== '') return t;
  }
  return '';
}

function handoffWords(name: string): string[] {
  return wordsOf(name.slice(HANDOFF_PREFIX.length));
}

function pointsAt(words: string[], text: string): boolean {
  if (words.length === 0) return false;
  const textWords = wordsOf(text);
  return words.some((w) => textWords.some((t) => sameWord(w, t)));
}

const INFO_TOOL_WORDS = [
  'research',
  'search',
  'lookup',
  'look',
  'find',
  'info',
  'information',
  'knowledge',
  'wiki',
  'wikipedia',
  'facts',
  'fact',
  'learn',
  'query',
  'ask',
  'delegate',
  'answer',
  'explain',
];
const INFO_REQUEST_RE =
  /\?|^\s*(?:please\s+)?(?:tell me|what|who|where|when|why|how|explain|describe|research|summari[sz]e|find|look up|search|give me|learn)\b/i;

function score(tool: ToolSpec, text: string): number {
  const textWords = wordsOf(text);
  let total = 0;
  if (INFO_REQUEST_RE.test(text) && wordsOf(tool.name).some((w) => INFO_TOOL_WORDS.includes(w))) {
    total += 1;
  }
  for (const w of wordsOf(tool.name)) if (textWords.some((t) => sameWord(w, t))) total += 2;
  for (const w of wordsOf(tool.description)) if (textWords.some((t) => sameWord(w, t))) total += 1;
  return total;
}

function best(tools: ToolSpec[], text: string): ToolSpec | undefined {
  let pick: ToolSpec | undefined;
  let top = -1;
  for (const tool of tools) {
    const s = score(tool, text);
    if (s > top) {
      top = s;
      pick = tool;
    }
  }
  return pick;
}

function chooseTool(
  conv: Conversation,
  forced: string | undefined,
  user: string,
): ToolSpec | undefined {
  const offered = conv.tools;
  const byName = (name: string) => offered.find((t) => t.name === name);
  if (forced && byName(forced)) return byName(forced);
  const choice = conv.toolChoice;
  if (choice.mode === 'none') return undefined;
  if (choice.mode === 'tool') return byName(choice.name);
  const allowed =
    choice.mode === 'required' && choice.allowed
      ? offered.filter((t) => choice.allowed?.includes(t.name))
      : offered;
  const handoffs = allowed.filter((t) => t.name.startsWith(HANDOFF_PREFIX));
  const regular = allowed.filter((t) => !t.name.startsWith(HANDOFF_PREFIX));
  const userHandoff = handoffs.find((t) => pointsAt(handoffWords(t.name), user));
  if (userHandoff) return userHandoff;
  if (regular.length > 0) return best(regular, user);
  const sysHandoff = handoffs.find((t) => pointsAt(handoffWords(t.name), conv.system));
  if (sysHandoff) return sysHandoff;
  if (choice.mode === 'required') return handoffs[0];
  return undefined;
}

function hasResultFor(conv: Conversation): boolean {
  const names = new Set(conv.tools.map((t) => t.name));
  return conv.toolResults.some((r) => r.name === undefined || names.has(r.name));
}

function quote(content: string): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  return flat.length > 1000 ? `${flat.slice(0, 1000)}…` : flat;
}

function factCount(system: string, topic: string): number {
  const range = /(\d+)\s*(?:-|–|to)\s*(\d+)[^.\n]{0,40}facts?/i.exec(system);
  let lo = 3;
  let hi = 5;
  if (range) {
    lo = Math.max(1, Math.min(10, Number(range[1])));
    hi = Math.max(lo, Math.min(10, Number(range[2])));
  }
  const span = hi - lo + 1;
  return lo + (Number.parseInt(hashOf(topic).slice(0, 8), 16) % span);
}

const FACTS = [
  (t: string) => `${t} is the main subject of this request.`,
  (t: string) => `${t} has a documented history that can be summarized briefly.`,
  (t: string) => `Reliable sources describe ${t} in consistent terms.`,
  (t: string) => `${t} is often discussed alongside closely related topics.`,
  (t: string) => `More detail on ${t} is available in public references.`,
  (t: string) => `${t} remains a common subject of questions.`,
  (t: string) => `Summaries of ${t} usually start with its origin.`,
  (t: string) => `${t} can be explained in a few short points.`,
  (t: string) => `Experts have written extensively about ${t}.`,
  (t: string) => `${t} is a well-known reference point in its field.`,
];

function textAnswer(conv: Conversation, user: string): string {
  const topic = topicOf(user);
  const results = conv.toolResults;
  if (results.length > 0) {
    const parts = results.map((r) => `${r.name ?? 'the tool'} returned "${quote(r.content)}"`);
    return `Here is what I found about ${topic}: ${parts.join('; ')}.`;
  }
  if (/\bfacts?\b/i.test(conv.system)) {
    const n = factCount(conv.system, topic);
    return FACTS.slice(0, n)
      .map((f, i) => `${i + 1}. ${f(topic)}`)
      .join('\n');
  }
  return `Here is a short answer about ${topic}: this is a deterministic reply from the local model.`;
}

/** Options the policy takes from the request's scenarios. */
export interface PolicyOptions {
  forcedTool: string | undefined;
  refusal: boolean;
}

/**
 * The scripted policy. With tools offered and no result for them since the last user message,
 * call the best-matching tool; with results, quote them; otherwise answer from the topic.
 */
export function decide(conv: Conversation, options: PolicyOptions): Decision {
  if (options.refusal) return { kind: 'refusal', text: REFUSAL_TEXT };
  const user = lastUserText(conv);
  if (conv.tools.length > 0 && !hasResultFor(conv)) {
    const tool = chooseTool(conv, options.forcedTool, user);
    if (tool) {
      const filled = fillSchema(tool.parameters, topicOf(user));
      const args =
        typeof filled === 'object' && filled !== null && !Array.isArray(filled) ? filled : {};
      return {
        kind: 'tool',
        name: tool.name,
        arguments: args,
        argumentsJson: JSON.stringify(args),
      };
    }
  }
  const text = textAnswer(conv, user);
  if (conv.outputSchema !== undefined && conv.outputSchema !== null) {
    return { kind: 'text', text: JSON.stringify(fillSchema(conv.outputSchema, text)) };
  }
  return { kind: 'text', text };
}

/** Deterministic usage for a request and its answer. */
export function usageOf(conv: Conversation, decision: Decision): { input: number; output: number } {
  const tools = conv.tools.map(
    (t) => `${t.name} ${t.description} ${JSON.stringify(t.parameters ?? {})}`,
  );
  const input = countTokens(`${conv.inputText} ${tools.join(' ')}`);
  const output =
    decision.kind === 'tool'
      ? countTokens(`${decision.name} ${decision.argumentsJson}`)
      : countTokens(decision.text);
  return { input, output };
}

/** Splits text into a few deterministic stream pieces (whole words, spaces kept). */
export function pieces(text: string, size = 4): string[] {
  const words = text.match(/\S+\s*/g) ?? [text];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  if (text.startsWith(' ') || out.length === 0) return [text];
  return out;
}
