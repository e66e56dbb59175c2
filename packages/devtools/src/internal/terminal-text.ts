// Span data is written by whoever can reach the receiver, and the CLI prints it to a terminal.
// These helpers keep every control character visible instead of letting it act: an ESC could set
// the window title (OSC), clear the screen or hide text (CSI), and a bidi override could make a
// line read differently from its bytes.

// C0 controls (tab and newline included: one span must stay on one line), DEL, C1 controls, the
// bidi marks, embeddings, overrides and isolates, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
// The same minus C0, which JSON.stringify escapes itself (and whose newlines lay out its output).
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `text` with every control character written as an escape a terminal shows as is: `\xNN`
 * (two upper-case hex digits) for C0, DEL and C1 controls (ESC is `\x1B`, a newline `\x0A`), and
 * `\uNNNN` for the bidi controls and U+2028/U+2029 (RIGHT-TO-LEFT OVERRIDE is `\u202E`).
 * Everything else, backslashes included, is left as it is.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/**
 * `JSON.stringify(value, null, 2)` with the control characters JSON leaves raw (DEL, C1, bidi,
 * U+2028/U+2029) written as `\uNNNN` JSON escapes too, so the text is safe on a terminal and
 * parses back to exactly the same strings.
 */
export function terminalJson(value: unknown): string {
  // These characters only occur inside JSON strings, where a \u escape means the same.
  return JSON.stringify(value, null, 2).replace(
    RAW_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
