/**
 * How the CLI and the dashboard print durations, sizes and relative times: one set of rules, in
 * one module with no Node imports, so that the dashboard loads this very file in the browser
 * (served as /app/core/format.js) and the two faces cannot drift apart.
 *
 * The rules:
 * - A value is first rounded to the precision of the unit it would be shown in; if the rounded
 *   value reaches the next unit, it is shown in that unit ("carries"), so no face ever prints
 *   "60 s", "1 min 60 s" or "1024.0 KiB".
 * - Durations: below 1 s whole milliseconds ("999 ms"); below 10 s two decimals ("9.99 s"); below
 *   a minute one decimal ("59.5 s"); below an hour minutes and whole seconds ("2 min 0 s"); from an
 *   hour on, hours and whole minutes ("2 h 0 min", "26 h 5 min"). 119.6 s is "2 min 0 s", 59,999 ms
 *   is "1 min 0 s", 59 min 59.5 s is "1 h 0 min".
 * - Sizes: whole bytes below 1 KiB ("1023 B"), then KiB, MiB, GiB (powers of 1024) with one
 *   decimal ("1023.5 KiB", "5.0 GiB"); 1,048,575 B is "1.0 MiB". GiB is the largest unit.
 * - Relative times: "now" within half a second, else the largest unit of s, min, h, d that the
 *   distance reaches, rounded, carrying (59.6 s ago is "1 min ago"): "in 3 s", "2 min ago".
 * - Rates (a share from 0 to 1) as percent with one decimal ("87.5%"), whole at exactly 0 and 1
 *   ("0%", "100%"), so that "100.0%" means "all but a few".
 * - A job's timeout: its seconds as given ("600 s"); 0 is "none" (no timeout); unset (a job an
 *   older version wrote) is "job-timeout setting", which is what applies to it.
 * - Nothing to show (null, undefined, NaN, ±Infinity) prints the face's placeholder `none`
 *   (the dashboard's "—" by default, the CLI passes "-"). A negative duration or size (a clock
 *   stepped back between start and finish) prints as 0.
 *
 * Relative times are built here rather than with Intl.RelativeTimeFormat: constructing that costs
 * ~30 ms of ICU loading in every CLI command that prints a time.
 *
 * Rounding is half up on the shown digit, done in integers (Math.round of centiseconds, tenths…),
 * so 1.505 s is "1.51 s" whatever its binary fraction.
 */

export const NONE = "—";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A number worth printing, or null for the placeholder. */
function shown(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

export function duration(ms: number | null | undefined, none = NONE): string {
  const value = shown(ms);
  if (value === null) return none;
  const t = Math.max(0, value);
  const millis = Math.round(t);
  if (millis < SECOND) return `${millis} ms`;
  const centis = Math.round(t / 10);
  if (centis < 10 * 100) return `${(centis / 100).toFixed(2)} s`;
  const tenths = Math.round(t / 100);
  if (tenths < 60 * 10) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(t / SECOND);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(t / MINUTE);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const SIZE_UNITS = ["KiB", "MiB", "GiB"] as const;

export function bytes(n: number | null | undefined, none = NONE): string {
  const value = shown(n);
  if (value === null) return none;
  const size = Math.max(0, value);
  if (Math.round(size) < 1024) return `${Math.round(size)} B`;
  let scale = 1;
  for (const [i, unit] of SIZE_UNITS.entries()) {
    scale *= 1024;
    const tenths = Math.round((size / scale) * 10);
    if (tenths < 1024 * 10 || i === SIZE_UNITS.length - 1) return `${(tenths / 10).toFixed(1)} ${unit}`;
  }
  throw new Error("unreachable: the last size unit always returns");
}

/** Units for relative times, smallest first: its size in ms, its name, how many make the next. */
const SPANS: readonly (readonly [size: number, unit: string, next: number])[] = [
  [SECOND, "s", 60],
  [MINUTE, "min", 60],
  [HOUR, "h", 24],
  [DAY, "d", Infinity],
];

/** `at` relative to `now` (both epoch ms): "in 3 s", "2 min ago", "now". */
export function relative(at: number | null | undefined, now: number, none = NONE): string {
  const value = shown(at);
  if (value === null || !Number.isFinite(now)) return none;
  const delta = value - now;
  const abs = Math.abs(delta);
  if (Math.round(abs / SECOND) === 0) return "now";
  for (const [size, unit, next] of SPANS) {
    const n = Math.round(abs / size);
    if (n < next) return delta < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
  }
  throw new Error("unreachable: the last span has no limit");
}

/** A job's timeout in seconds: "600 s", "none" for 0, "job-timeout setting" when unset. */
export function timeout(seconds: number | null): string {
  if (seconds === null) return "job-timeout setting";
  return seconds === 0 ? "none" : `${seconds} s`;
}

/** A share from 0 to 1 as percent: "87.5%", "100%". */
export function percent(rate: number | null | undefined, none = NONE): string {
  const value = shown(rate);
  if (value === null) return none;
  if (value === 0 || value === 1) return `${value * 100}%`;
  return `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
}
