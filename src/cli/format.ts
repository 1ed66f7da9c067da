import Table from "cli-table3";
import { once } from "node:events";
import pc from "picocolors";
import { printable } from "../core/printable.js";
import type { JobState } from "../core/types.js";

/** picocolors turns colour off by itself when stdout is not a TTY or NO_COLOR is set. */
export const color = pc;

const STATE_COLOR: Record<JobState, (s: string) => string> = {
  pending: pc.cyan,
  processing: pc.yellow,
  completed: pc.green,
  failed: pc.magenta,
  dead: pc.red,
};

export function stateLabel(state: JobState, scheduled = false): string {
  return STATE_COLOR[state](scheduled ? `${state} (scheduled)` : state);
}

/** An aligned table without borders: columns two spaces apart, a dim header. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({
    head: head.map((h) => pc.dim(h)),
    chars: {
      top: "", "top-mid": "", "top-left": "", "top-right": "",
      bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
      left: "", "left-mid": "", mid: "", "mid-mid": "",
      right: "", "right-mid": "", middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  t.push(...rows.map((row) => row.map((cell) => String(cell))));
  return t.toString().split("\n").map((line) => line.trimEnd()).join("\n");
}

/** Unit sizes for relative times, largest last. */
const SPANS: [limit: number, size: number, unit: string][] = [
  [60_000, 1000, "s"],
  [3_600_000, 60_000, "m"],
  [86_400_000, 3_600_000, "h"],
  [Infinity, 86_400_000, "d"],
];

/**
 * "in 3s", "2m ago", "5h ago": the span a person reads first. (What Intl.RelativeTimeFormat's narrow
 * English style prints; constructing that costs ~30 ms of ICU loading in every command that uses it.)
 */
export function relative(ms: number, now = Date.now()): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  if (abs < 1000) return "now";
  const [, size, unit] = SPANS.find(([limit]) => abs < limit) as (typeof SPANS)[number];
  const n = Math.trunc(abs / size);
  return delta < 0 ? `${n}${unit} ago` : `in ${n}${unit}`;
}

/** "2026-01-31 12:00:03 (2m ago)" in the local time zone, or "-" for none. */
export function when(ms: number | null, now = Date.now()): string {
  if (ms === null) return "-";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${local} ${pc.dim(`(${relative(ms, now)})`)}`;
}

export function duration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * Stored text (ids, commands, errors) for human output: control characters shown, not obeyed
 * (DESIGN: `--json` and `job output` stay exact). `lines` keeps newlines and tabs.
 */
export function text(value: string, options: { lines?: boolean } = {}): string {
  return printable(value, options);
}

/** One line of at most `width` characters, escaped (an escape such as `\x1b` counts as its 4). */
export function truncate(value: string, width: number): string {
  const oneLine = printable(value.replace(/[ \t\n\r\f\v]+/g, " "));
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, width - 1)}…`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A JSON array written item by item, in the layout of printJson, waiting for stdout to drain: a
 * list of any size is never one string (V8 caps a string at ~512 MiB) nor held whole in memory.
 */
export async function printJsonArray(items: AsyncIterable<unknown>): Promise<void> {
  let first = true;
  for await (const item of items) {
    // JSON strings hold no raw newline, so every newline is layout and can take the indent.
    const body = JSON.stringify(item, null, 2).replaceAll("\n", "\n  ");
    await writeOut(`${first ? "[\n" : ",\n"}  ${body}`);
    first = false;
  }
  await writeOut(first ? "[]\n" : "\n]\n");
}

async function writeOut(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
}

/** "key  value" lines with the keys aligned: the detail view of one thing. */
export function keyValues(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${pc.dim(key.padEnd(width))}  ${value}`).join("\n");
}
