import { createHash } from 'node:crypto';

/** SHA-256 hex digest of the given parts, joined with a NUL separator. */
export function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A fixed Unix timestamp (seconds) derived from a hash: 2025-01-01 plus up to a year. */
export function timestampFrom(hash: string): number {
  return 1_735_689_600 + (Number.parseInt(hash.slice(0, 8), 16) % 31_536_000);
}

const TOKEN_RE = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

/** Deterministic token count: every run of letters/digits and every punctuation mark is one. */
export function countTokens(text: string): number {
  return text.match(TOKEN_RE)?.length ?? 0;
}

/** The text up to the end of its `n`-th token, as {@link countTokens} counts them. */
export function firstTokens(text: string, n: number): string {
  if (n <= 0) return '';
  let seen = 0;
  for (const m of text.matchAll(TOKEN_RE)) {
    seen++;
    if (seen === n) return text.slice(0, m.index + m[0].length);
  }
  return text;
}

const MARKER_RE = /\[scenario:[^\]]*\]/gi;

/** Removes `[scenario:...]` markers from user text. */
export function stripMarkers(text: string): string {
  return text.replace(MARKER_RE, '').replace(/\s+/g, ' ').trim();
}

const LEAD_RE =
  /^(?:(?:please|hey|hi|ok|okay)[,!]?\s+)*(?:(?:can|could|would|will) you\s+)?(?:please\s+)?(?:tell me (?:more |something |a bit |a little )?about|tell me|what(?:'s|’s| is| are| was| were)(?: the)?|who(?:'s|’s| is| are| was| were)|where(?:'s|’s| is| are| was| were)|when (?:is|was|did)|how(?:'s|’s| does| do| did| is| are)(?: the)?|explain|describe|research|summari[sz]e|look up|search(?: for)?|find(?: out)?(?: about)?|learn about|give me(?: \d+)?(?: (?:key|short|quick|concise))? facts (?:about|on)|facts (?:about|on))\s+/i;

const TRAILING_PUNCT_RE = /[\s?.!,;:]+$/u;

/** The topic of a user question: "Tell me about Voyager 1." becomes "Voyager 1". */
export function topicOf(text: string): string {
  const clean = stripMarkers(text).split('\n')[0]?.trim() ?? '';
  let topic = clean.replace(LEAD_RE, '').replace(TRAILING_PUNCT_RE, '').trim();
  if (topic === '') topic = clean.replace(TRAILING_PUNCT_RE, '').trim();
  if (topic === '') topic = 'the question';
  return topic.length > 120 ? `${topic.slice(0, 120).trimEnd()}…` : topic;
}

/** "the weather in", "the current temperature at", "the forecast for", ... */
const CONDITIONS_LEAD_RE =
  /^(?:(?:the|a|an)\s+)?(?:(?:current|latest|local|today(?:'s|’s)?|tomorrow(?:'s|’s)?)\s+)?(?:weather|forecast|temperature|conditions|climate|time|news)(?:\s+(?:forecast|report|conditions))?(?:\s+like)?\s+(?:in|at|for|of|near|around)\s+/i;
const TRAILING_TIME_RE =
  /\s+(?:right now|now|today|tonight|tomorrow|currently|at the moment|this (?:week|weekend|morning|afternoon|evening)|next week)$/i;
const PLACE_TAIL_RE = /\b(?:in|at|near|around|for|to|from)\s+(\p{Lu}[\p{L}\p{N}'’.\- ]*)$/u;

/**
 * The place a question is about, for parameters such as `city` or `location`:
 * "What is the weather in Paris?" becomes "Paris"; falls back to {@link topicOf}.
 */
export function placeOf(text: string): string {
  const topic = topicOf(text);
  let place = topic.replace(CONDITIONS_LEAD_RE, '');
  if (place === topic) place = PLACE_TAIL_RE.exec(topic)?.[1] ?? topic;
  place = place.replace(TRAILING_TIME_RE, '').replace(TRAILING_PUNCT_RE, '').trim();
  return place === '' ? topic : place;
}

/**
 * The subject of a question, for parameters such as `topic` or `query`: {@link topicOf}
 * without a leading "the weather in" / "the forecast for".
 */
export function subjectOf(text: string): string {
  const topic = topicOf(text);
  const subject = topic.replace(CONDITIONS_LEAD_RE, '').replace(TRAILING_TIME_RE, '').trim();
  return subject === '' ? topic : subject;
}

const PLACE_PARAM_RE =
  /^(?:city|cities|town|place|location|locality|country|region|destination|area|locale|where|province|county|village|origin)$/;
const SUBJECT_PARAM_RE =
  /^(?:topic|topics|subject|query|q|question|term|terms|keyword|keywords|search)$/;

/** Which kind of text a string parameter wants, judged by its name (`cityName`, `search_query`...). */
export function paramKind(name: string | undefined): 'place' | 'subject' | 'other' {
  if (name === undefined) return 'other';
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  if (words.some((w) => PLACE_PARAM_RE.test(w))) return 'place';
  if (words.some((w) => SUBJECT_PARAM_RE.test(w))) return 'subject';
  return 'other';
}

const STOP = new Set([
  'the',
  'and',
  'for',
  'with',
  'that',
  'this',
  'from',
  'about',
  'into',
  'your',
  'you',
  'are',
  'was',
  'were',
  'what',
  'who',
  'how',
  'when',
  'where',
  'why',
  'tell',
  'give',
  'get',
  'use',
  'tool',
  'function',
  'call',
  'agent',
  'please',
  'can',
  'could',
  'would',
  'will',
  'its',
  'has',
  'have',
  'any',
  'all',
  'one',
  'not',
  'but',
  'more',
  'some',
  'other',
  'than',
  'then',
  'them',
  'they',
  'their',
  'there',
  'also',
  'into',
  'onto',
  'over',
  'under',
  'returns',
  'return',
]);

/** Significant lower-case words of a text, splitting snake_case and camelCase. */
export function wordsOf(text: string): string[] {
  const spaced = text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_\-./]+/g, ' ');
  const out: string[] = [];
  for (const m of spaced.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    if (w.length >= 3 && !STOP.has(w) && !out.includes(w)) out.push(w);
  }
  return out;
}

/** True when two words match exactly or share a 5-letter stem. */
export function sameWord(a: string, b: string): boolean {
  return a === b || (a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5));
}
