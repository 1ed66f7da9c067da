import { Option, type Command } from "commander";
import { jobJson } from "../core/json.js";
import type { Queue } from "../core/queue.js";
import { maxRuns } from "../core/job-state.js";
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, type ListedJob } from "../core/listing.js";
import { blockedReason } from "../core/dependencies.js";
import { JOB_STATES, type JobFilter, type ListState } from "../core/types.js";
import { intOption } from "./context.js";
import { jobStateLabel, printJsonArray, relative, table, text, truncate, writeOut } from "./format.js";
import { tell } from "./tell.js";

const JOB_HEAD = ["id", "queue", "state", "pri", "tries", "updated", "command"];
/** The last column's name, when a blocked job is among the rows: what it waits for. */
const BLOCKED_HEAD = "blocked";
/** Jobs read per store call: 50 of the longest commands (128 KiB) are ~6.5 MB. */
const PAGE = 50;

/**
 * The row people scan: id, state, priority, attempts, the time that matters, the command cut to one
 * line, and for a blocked job what it waits for (last, so an empty cell leaves the others in place).
 */
function jobRow(job: ListedJob, now: number): (string | number)[] {
  return [
    text(job.id),
    text(job.queue),
    jobStateLabel(job, now),
    job.priority,
    `${job.attempts}/${maxRuns(job)}`,
    relative(job.updated_at, now),
    truncate(job.command, 60),
    blockedCell(job),
  ];
}

/** Why a listed job is blocked, in the core's words (with the first few ids), or "" if it is not. */
function blockedCell(job: ListedJob): string {
  const reason = blockedReason(job, job.blocked_by);
  return reason === null ? "" : truncate(reason, 80);
}

/** The header of a table of jobs: the blocked column is named when a row has something in it. */
function jobHead(rows: (string | number)[][]): string[] {
  return rows.some((row) => row.at(-1) !== "") ? [...JOB_HEAD, BLOCKED_HEAD] : JOB_HEAD;
}

/**
 * Up to `limit` jobs of a filter (Infinity: all of them), newest first, read page by page (keyset
 * cursor), so that no list, however long, is in memory at once. Reports through `more` whether
 * jobs beyond the limit exist.
 */
export async function* jobsOf(
  queue: Queue,
  filter: Omit<JobFilter, "limit" | "cursor">,
  limit: number,
  more: { value: boolean } = { value: false },
): AsyncGenerator<ListedJob> {
  let cursor: string | undefined;
  let left = limit;
  while (left > 0) {
    const page = await queue.list({ ...filter, limit: Math.min(PAGE, left), cursor });
    for (const job of page.jobs) yield job;
    left -= page.jobs.length;
    if (!page.next_cursor || page.jobs.length === 0) return;
    cursor = page.next_cursor;
  }
  more.value = (await queue.list({ ...filter, limit: 1, cursor })).jobs.length > 0;
}

/**
 * Says on stderr that a list was cut at its limit, with how many match when the store keeps that
 * count (per state; a text search would have to scan).
 */
export async function tellCut(
  queue: Queue,
  filter: { state?: ListState; q?: string; queue?: string },
  shown: number,
): Promise<void> {
  let total = "";
  // Blocked jobs are counted among the pending, not on their own.
  if (!filter.q && filter.queue === undefined && filter.state !== "blocked") {
    const counts = await queue.counts();
    total = ` of ${filter.state ? counts[filter.state] : JOB_STATES.reduce((n, state) => n + counts[state], 0)}`;
  }
  tell(`showing ${shown}${total}; --all or --limit N for more`);
}

export interface ListOptions {
  limit: number;
  all?: boolean;
  json?: boolean;
}

/** --limit N or --all (one or the other) and --json, for a list of jobs. */
export function listOptions(command: Command): Command {
  return command
    .addOption(
      new Option("-n, --limit <n>", `at most this many (1..${LIST_LIMIT_MAX})`)
        .argParser(intOption(1, LIST_LIMIT_MAX))
        .default(LIST_LIMIT_DEFAULT),
    )
    .addOption(new Option("--all", "every one, read from the store page by page").conflicts("limit"))
    .option("--json", "print a JSON array of jobs");
}

/** Rows per table: a list of any length is printed in blocks, each aligned on its own. */
const BLOCK = 1000;

/**
 * Prints jobs as a JSON array (`--json`, exact) or as the table people read (escaped); an empty
 * list is said on stderr. Returns how many were printed.
 */
export async function printJobs(jobs: AsyncIterable<ListedJob>, json: boolean, empty: string): Promise<number> {
  const now = Date.now();
  let count = 0;
  if (json) {
    await printJsonArray(
      (async function* () {
        for await (const job of jobs) {
          count++;
          yield jobJson(job, now);
        }
      })(),
    );
    return count;
  }
  // Only the cut rows of one block are kept, not the jobs: a table needs its rows to align them.
  let rows: (string | number)[][] = [];
  for await (const job of jobs) {
    rows.push(jobRow(job, now));
    if (rows.length === BLOCK) {
      await writeOut(`${table(count === 0 ? jobHead(rows) : [], rows)}\n`);
      count += rows.length;
      rows = [];
    }
  }
  if (rows.length > 0) await writeOut(`${table(count === 0 ? jobHead(rows) : [], rows)}\n`);
  count += rows.length;
  if (count === 0) tell(empty);
  return count;
}
