import Table from "cli-table3";
import { once } from "node:events";
import * as core from "../core/format.js";
import { printable } from "../core/printable.js";
import { isBlocked, isScheduled } from "../core/job-state.js";
import type { Job, JobState } from "../core/types.js";
import { color } from "./colors.js";

export { color };

const STATE_COLOR: Record<JobState, "cyan" | "yellow" | "green" | "magenta" | "red" | "gray"> = {
  pending: "cyan",
  processing: "yellow",
  completed: "green",
  failed: "magenta",
  dead: "red",
  cancelled: "gray",
};

export function stateLabel(state: JobState, scheduled = false): string {
  return color[STATE_COLOR[state]](scheduled ? `${state} (scheduled)` : state);
}

/** A job's state as people read it: with "(blocked)" or "(scheduled)", display states the store does not keep. */
export function jobStateLabel(job: Pick<Job, "state" | "run_at" | "waiting_on">, now: number): string {
  if (isBlocked(job)) return color.yellow(`${job.state} (blocked)`);
  return stateLabel(job.state, isScheduled(job, now));
}

/** An aligned table without borders: columns two spaces apart, a dim header. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({
    head: head.map((h) => color.dim(h)),
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  t.push(...rows.map((row) => row.map((cell) => String(cell))));
  return t
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** The CLI's placeholder for a value it has not got. */
const NONE = "-";

/** "in 3 s", "2 min ago", "now": the rules are in core/format.ts, shared with the dashboard. */
export function relative(ms: number, now = Date.now()): string {
  return core.relative(ms, now, NONE);
}

/** "2026-01-31 12:00:03 (2 min ago)" in the local time zone, or "-" for none. */
export function when(ms: number | null, now = Date.now()): string {
  if (ms === null) return NONE;
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const local = `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${local} ${color.dim(`(${relative(ms, now)})`)}`;
}

/** "2 min 0 s", "2 h 0 min": the rules are in core/format.ts, shared with the dashboard. */
export function duration(ms: number | null): string {
  return core.duration(ms, NONE);
}

/** "1023 B", "1.5 KiB", "5.0 GiB": the rules are in core/format.ts, shared with the dashboard. */
export function bytes(n: number | null): string {
  return core.bytes(n, NONE);
}

/**
 * Stored text (ids, commands, errors) for human output: control characters shown, not obeyed
 * (only here: `--json` and `job output` print stored text exactly, for scripts). `lines` keeps
 * newlines and tabs.
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

/** Writes to stdout, waiting for it to drain: a long answer is never held whole in memory. */
export async function writeOut(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
}

/** "key  value" lines with the keys aligned: the detail view of one thing. */
export function keyValues(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${color.dim(key.padEnd(width))}  ${value}`).join("\n");
}
