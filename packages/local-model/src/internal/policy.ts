import { fillSchema } from './schema-fill.js';
import {
  countTokens,
  hashOf,
  paramKind,
  placeOf,
  sameWord,
  stripMarkers,
  subjectOf,
  topicOf,
  wordsOf,
} from './text.js';

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
  /**
   * Context the client sends beside the question (Claude Code's `<system-reminder>` blocks,
   * which list the agent types its `Agent` tool can start); empty for the other protocols.
   */
  context?: string | undefined;
}

/** What the model answers. */
export type Decision =
  | { kind: 'text'; text: string }
  | { kind: 'refusal'; text: string }
  | { kind: 'tool'; name: string; arguments: Record<string, unknown>; argumentsJson: string };

/** Refusal text used by the `refusal` scenario. */
export const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

const HANDOFF_PREFIX = 'transfer_to_';
/** Google ADK's single handoff tool; the target agent is its `agentName` argument. */
const ADK_TRANSFER = 'transfer_to_agent';
const AGENT_PARAMS = ['agentName', 'agent_name', 'agent'];
/** ADK shows other agents' turns to an agent as user messages starting like this. */
const CONTEXT_PREFIX_RE = /^\s*For context:/;

function isContextText(text: string): boolean {
  return CONTEXT_PREFIX_RE.test(text);
}

/** Index of the last user message a person wrote (not an ADK "For context:" relay), or -1. */
function lastUserIndex(conv: Conversation): number {
  let fallback = -1;
  for (let i = conv.userTexts.length - 1; i >= 0; i--) {
    const t = stripMarkers(conv.userTexts[i] ?? '');
    if (t === '') continue;
    if (!isContextText(t)) return i;
    if (fallback === -1) fallback = i;
  }
  return fallback;
}

function lastUserText(conv: Conversation): string {
  const i = lastUserIndex(conv);
  return i === -1 ? '' : stripMarkers(conv.userTexts[i] ?? '');
}

function handoffWords(name: string): string[] {
  return wordsOf(name.slice(HANDOFF_PREFIX.length));
}

function pointsAt(words: string[], text: string): boolean {
  if (words.length === 0) return false;
  const textWords = wordsOf(text);
  return words.some((w) => textWords.some((t) => sameWord(w, t)));
}

function agentParam(tool: ToolSpec): string | undefined {
  const props = isObject(tool.parameters) ? tool.parameters.properties : undefined;
  if (!isObject(props)) return undefined;
  return AGENT_PARAMS.find((p) => Object.hasOwn(props, p));
}

/** ADK's `transfer_to_agent`, told apart from an OpenAI Agents handoff to an agent named "agent". */
function isAdkTransfer(tool: ToolSpec): boolean {
  return tool.name === ADK_TRANSFER && agentParam(tool) !== undefined;
}

function isOpenAiHandoff(tool: ToolSpec): boolean {
  return tool.name.startsWith(HANDOFF_PREFIX) && !isAdkTransfer(tool);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A sub-agent (or parent/peer) an ADK `transfer_to_agent` call may name. */
interface TransferTarget {
  name: string;
  description: string;
}

const ADK_AGENT_RE =
  /Agent name:[ \t]*([^\s]+)[ \t]*(?:\r?\n[ \t]*Agent description:[ \t]*([^\n]*))?/g;
const SELF_RE = /Your internal name is "([^"]+)"/;
const LIST_RE = /\b(?:one of|agents?|options?|choices?|targets?)\s*[:：]\s*([^.\n]+)/gi;
const AGENT_ID_RE = /\b([A-Za-z][\w-]*(?:_agent|Agent))\b/g;
const NOT_AGENT_NAMES = new Set(['agent', 'agents', 'subagent', 'sub_agent', ADK_TRANSFER]);

/**
 * Targets of an ADK transfer: the agent parameter's `enum`, ADK's own "Agent name: / Agent
 * description:" listing in the instructions, and agent-like names in the tool's descriptions.
 * The calling agent itself ("Your internal name is ...") is never a target.
 */
function transferTargets(tool: ToolSpec, system: string): TransferTarget[] {
  const out: TransferTarget[] = [];
  const self = SELF_RE.exec(system)?.[1];
  const add = (name: string, description = '') => {
    const clean = name.trim().replace(/^["'`]|["'`.,;:]$/g, '');
    const lower = clean.toLowerCase();
    if (
      clean === '' ||
      clean === self ||
      NOT_AGENT_NAMES.has(lower) ||
      lower.startsWith('transfer')
    ) {
      return;
    }
    const known = out.find((t) => t.name === clean);
    if (known) {
      if (known.description === '') known.description = description;
      return;
    }
    out.push({ name: clean, description });
  };
  const param = agentParam(tool);
  const props = isObject(tool.parameters) ? tool.parameters.properties : undefined;
  const schema = param && isObject(props) ? props[param] : undefined;
  const paramDescription =
    isObject(schema) && typeof schema.description === 'string' ? schema.description : '';
  if (isObject(schema) && Array.isArray(schema.enum)) {
    for (const v of schema.enum) if (typeof v === 'string') add(v);
  }
  for (const m of system.matchAll(ADK_AGENT_RE)) if (m[1]) add(m[1], m[2]?.trim() ?? '');
  for (const text of [tool.description, paramDescription]) {
    for (const list of text.matchAll(LIST_RE)) {
      for (const item of (list[1] ?? '').split(/,|\bor\b|\band\b/)) {
        if (/^\s*[A-Za-z][\w-]*\s*$/.test(item.replace(/[`"']/g, ''))) {
          add(item.replace(/[`"']/g, ''));
        }
      }
    }
    for (const m of text.matchAll(AGENT_ID_RE)) add(m[1] ?? '');
  }
  return out;
}

/** True when the text names the agent: its exact name, or a significant word of it. */
function names(target: TransferTarget, text: string): boolean {
  const lower = text.toLowerCase();
  const exact = target.name.toLowerCase();
  if (new RegExp(`(?:^|[^\\w])${escapeRegExp(exact)}(?:$|[^\\w])`).test(lower)) return true;
  return pointsAt(wordsOf(target.name), text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** ADK's generated transfer instructions, removed before asking "do the instructions name it?". */
const ADK_BLOCKS_RE = [
  /You are an agent\. Your internal name is "[^"]*"\.?/g,
  /You have a list of other agents to transfer to:[\s\S]*?the function call\./g,
  /Your parent agent is [^\s.]+\.[\s\S]*?transfer\s+to your parent agent\./g,
  /^[ \t]*Agent (?:name|description):.*$/gm,
];

function ownInstructions(system: string): string {
  return ADK_BLOCKS_RE.reduce((text, re) => text.replace(re, ' '), system);
}

/** ADK relays a transfer to the next agent as "For context: [x] called tool `transfer_to_agent`". */
function transferredThisTurn(conv: Conversation): boolean {
  const after = conv.userTexts.slice(lastUserIndex(conv) + 1);
  return after.some((t) => isContextText(t) && t.includes(ADK_TRANSFER));
}

const TRANSFER_VERB_RE =
  /\b(?:transfer|delegate|hand(?:s|ing)?\s*off|hand(?:s)?|route|forward|send|pass)\b/i;

function scoreTarget(target: TransferTarget, text: string): number {
  const textWords = wordsOf(text);
  let total = 0;
  for (const w of wordsOf(target.name)) if (textWords.some((t) => sameWord(w, t))) total += 2;
  for (const w of wordsOf(target.description))
    if (textWords.some((t) => sameWord(w, t))) total += 1;
  return total;
}

function bestTarget(targets: TransferTarget[], text: string): TransferTarget | undefined {
  let pick: TransferTarget | undefined;
  let top = -1;
  for (const t of targets) {
    const s = scoreTarget(t, text);
    if (s > top) {
      top = s;
      pick = t;
    }
  }
  return pick;
}

type Where = 'user' | 'instructions' | 'any';

/**
 * The agent an ADK `transfer_to_agent` call should name, if the conversation points at one:
 * `user` when the user text names it; `instructions` when the agent's own instructions name it
 * or say to transfer/delegate (best description match); `any` also falls back to the first.
 */
function transferTarget(tool: ToolSpec, conv: Conversation, user: string, where: Where) {
  const targets = transferTargets(tool, conv.system);
  if (targets.length === 0) return undefined;
  const byUser = targets.filter((t) => names(t, user));
  if (byUser.length > 0) return bestTarget(byUser, user);
  if (where === 'user') return undefined;
  const own = ownInstructions(conv.system);
  const byInstructions = targets.filter((t) => names(t, own));
  if (byInstructions.length > 0) return bestTarget(byInstructions, user);
  if (TRANSFER_VERB_RE.test(own)) {
    const scored = bestTarget(targets, user);
    if (scored && scoreTarget(scored, user) > 0) return scored;
  }
  return where === 'any' ? (bestTarget(targets, user) ?? targets[0]) : undefined;
}

/** Claude Code's `Agent` tool (`Task` before 2.1): starts a subagent of a listed type. */
function isClaudeAgentTool(tool: ToolSpec): boolean {
  const props = isObject(tool.parameters) ? tool.parameters.properties : undefined;
  return (
    (tool.name === 'Agent' || tool.name === 'Task') &&
    isObject(props) &&
    Object.hasOwn(props, 'subagent_type') &&
    Object.hasOwn(props, 'prompt')
  );
}

const CLAUDE_AGENTS_RE = /Available agent types[^\n]*:\n((?:- [^\n]*\n?)+)/;

/** The agent types Claude Code lists for its `Agent` tool: `- name: description (Tools: ...)`. */
function claudeAgentTypes(context: string): TransferTarget[] {
  const listing = CLAUDE_AGENTS_RE.exec(context)?.[1] ?? '';
  const out: TransferTarget[] = [];
  for (const line of listing.split('\n')) {
    const m = /^- ([^\s:]+):\s*(.*?)(?:\s*\(Tools:[^)]*\))?\s*$/.exec(line);
    if (m?.[1]) out.push({ name: m[1], description: m[2] ?? '' });
  }
  return out;
}

/**
 * Arguments of a Claude Code `Agent` call: the required `description` and `prompt` (the user's
 * question, so the subagent works on it) and the `subagent_type` the user's words name (else
 * `general-purpose`, else the first listed). Optional settings (`run_in_background`,
 * `isolation`, `model`, ...) are left to the agent's definition.
 */
function claudeAgentArguments(conv: Conversation, user: string): Record<string, unknown> {
  const types = claudeAgentTypes(conv.context ?? '');
  const named = types.filter((t) => names(t, user));
  const type =
    bestTarget(named, user) ?? types.find((t) => t.name === 'general-purpose') ?? types[0];
  const args: Record<string, unknown> = { description: topicOf(user), prompt: user };
  if (type) args.subagent_type = type.name;
  return args;
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

/** A tool to call; for ADK's `transfer_to_agent`, with the agent it should name. */
interface Choice {
  tool: ToolSpec;
  agent?: string;
}

function chooseTool(
  conv: Conversation,
  forced: string | undefined,
  user: string,
): Choice | undefined {
  const offered = conv.tools;
  const pick = (tool: ToolSpec | undefined, where: Where = 'any'): Choice | undefined => {
    if (!tool) return undefined;
    if (!isAdkTransfer(tool)) return { tool };
    const agent = transferTarget(tool, conv, user, where)?.name;
    return agent === undefined ? { tool } : { tool, agent };
  };
  const byName = (name: string) => offered.find((t) => t.name === name);
  if (forced && byName(forced)) return pick(byName(forced));
  const choice = conv.toolChoice;
  if (choice.mode === 'none') return undefined;
  if (choice.mode === 'tool') return pick(byName(choice.name));
  const allowed =
    choice.mode === 'required' && choice.allowed
      ? offered.filter((t) => choice.allowed?.includes(t.name))
      : offered;
  const handoffs = allowed.filter(isOpenAiHandoff);
  // An ADK transfer already happened this turn: the receiving agent answers, never bounces.
  const adk = transferredThisTurn(conv) ? undefined : allowed.find(isAdkTransfer);
  const regular = allowed.filter((t) => !isOpenAiHandoff(t) && !isAdkTransfer(t));
  const userHandoff = handoffs.find((t) => pointsAt(handoffWords(t.name), user));
  if (userHandoff) return { tool: userHandoff };
  const userTransfer = adk && transferTarget(adk, conv, user, 'user');
  if (adk && userTransfer) return { tool: adk, agent: userTransfer.name };
  if (regular.length > 0) {
    const tool = best(regular, user);
    if (tool) return { tool };
  }
  const sysHandoff = handoffs.find((t) => pointsAt(handoffWords(t.name), conv.system));
  if (sysHandoff) return { tool: sysHandoff };
  const sysTransfer = adk && transferTarget(adk, conv, user, 'instructions');
  if (adk && sysTransfer) return { tool: adk, agent: sysTransfer.name };
  if (choice.mode === 'required') {
    const fallback = handoffs[0] ?? allowed.find(isAdkTransfer);
    return pick(fallback);
  }
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
    const choice = chooseTool(conv, options.forcedTool, user);
    if (choice) {
      const topic = topicOf(user);
      if (isClaudeAgentTool(choice.tool)) {
        const args = claudeAgentArguments(conv, user);
        return {
          kind: 'tool',
          name: choice.tool.name,
          arguments: args,
          argumentsJson: JSON.stringify(args),
        };
      }
      const filled = fillSchema(choice.tool.parameters, topic, (name) => {
        const kind = paramKind(name);
        return kind === 'place' ? placeOf(user) : kind === 'subject' ? subjectOf(user) : topic;
      });
      const args: Record<string, unknown> = isObject(filled) ? filled : {};
      if (choice.agent !== undefined) args[agentParam(choice.tool) ?? 'agentName'] = choice.agent;
      return {
        kind: 'tool',
        name: choice.tool.name,
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

/** Deterministic count of a request's input tokens: its texts and its tool definitions. */
export function inputTokensOf(conv: Conversation): number {
  const tools = conv.tools.map(
    (t) => `${t.name} ${t.description} ${JSON.stringify(t.parameters ?? {})}`,
  );
  return countTokens(`${conv.inputText} ${tools.join(' ')}`);
}

/** Deterministic usage for a request and its answer. */
export function usageOf(conv: Conversation, decision: Decision): { input: number; output: number } {
  const input = inputTokensOf(conv);
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
