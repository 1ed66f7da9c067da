/**
 * Text from users and jobs (commands, ids, error messages) reaches terminals. A terminal obeys the
 * control characters in it: ESC and the C1 CSI (U+009B) start sequences that retitle the window,
 * move the cursor or rewrite the screen; bidi overrides reorder what is shown; a newline splits one
 * error into two. This is the one place such characters are made visible instead of obeyed.
 */

/**
 * C0 controls, DEL, C1 controls, the bidi controls (ALM, LRM, RLM, embeddings, overrides,
 * isolates), the line and paragraph separators, and lone surrogates (not valid UTF-8 at all).
 */
const CONTROLS = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069";
const LONE_SURROGATE = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";
const UNPRINTABLE = new RegExp(`[\\u0000-\\u001f${CONTROLS}]|${LONE_SURROGATE}`, "g");

/** The same set, without tab and newline: for multi-line text shown as such (a script in `job show`). */
const UNPRINTABLE_BUT_LINES = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${CONTROLS}]|${LONE_SURROGATE}`, "g");

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control, bidi or lone-surrogate character written as `\x1b` / `\u202e`.
 * Idempotent (the escapes are printable), so applying it twice is harmless. `lines` keeps tab and
 * newline as they are.
 */
export function printable(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(options.lines ? UNPRINTABLE_BUT_LINES : UNPRINTABLE, escapeOne);
}

const QUOTE_MAX = 60;

/**
 * A value received from a user, as an error message shows it: strings quoted, escaped and cut to
 * a readable length; other JSON values by their JSON form or their kind.
 */
export function quote(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.length > QUOTE_MAX ? `${value.slice(0, QUOTE_MAX)}…` : value;
    return `"${printable(cut)}"`;
  }
  if (typeof value === "number") {
    // JSON's 1e309 arrives as Infinity: say what it means rather than print a number no one typed.
    if (Number.isNaN(value)) return "something that is not a number";
    return Number.isFinite(value) ? String(value) : "a number too large to represent";
  }
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return printable(String(value));
}
