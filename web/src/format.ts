/**
 * Human renderings: relative times beside absolute ones, durations, sizes, rates. Durations, sizes,
 * relative times, rates and timeouts follow the rules in the server's src/core/format.ts, which the
 * browser loads itself (the server serves its compiled copy at /app/core/format.js; the rootDirs
 * of web/tsconfig.json let `./core/` resolve to src/core), so the CLI and the dashboard print the
 * same text.
 */
import * as core from "./core/format.js";

export { bytes, duration, percent, timeout } from "./core/format.js";

/** "3 s ago", "in 2 min", "now", or "—" for none. */
export function ago(iso: string | null, now = Date.now()): string {
  return core.relative(iso === null ? null : Date.parse(iso), now);
}

export function absolute(iso: string | null): string {
  if (iso === null) return "";
  const date = new Date(iso);
  return `${date.toLocaleString()} (${iso})`;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}
