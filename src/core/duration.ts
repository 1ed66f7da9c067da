const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration as people type it on a command line: a number and a unit (`250ms`, `10s`, `10m`,
 * `2h`, `1d`, `1.5h`), or a bare number of seconds. Returns milliseconds, or null for anything
 * else (a caller names its own field in the error).
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? "s") as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}
