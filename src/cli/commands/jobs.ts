import { Argument, Option, type Command } from "commander";
import { timeout } from "../../core/format.js";
import { jobDetailJson, jobJson, outputJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { maxRuns } from "../../core/job-state.js";
import { linkFields, printLinks } from "../job-links.js";
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, type ListedJob } from "../../core/listing.js";
import { blockedReason } from "../../core/dependencies.js";
import { JOB_STATES, LIST_STATES, type JobFilter, type ListState, type OutputStream } from "../../core/types.js";
import { idArgument, intOption, withQueue } from "../context.js";
import {
  bytes,
  color,
  duration,
  keyValues,
  printJson,
  printJsonArray,
  relative,
  writeOut,
  jobStateLabel,
  table,
  text,
  truncate,
  when,
} from "../format.js";
import { completes } from "../completion/spec.js";
import { parseQueueName } from "../../core/queues.js";
import { ExitStatus } from "../exit.js";
import { followOutput } from "../follow.js";
import { writeRaw } from "../output.js";
import { tell } from "../tell.js";
import { queueOption } from "./queue.js";

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

/** A job id argument, completed from the store's ids. */
function jobIdArgument(): Argument {
  return completes(new Argument("<id>", "job id").argParser(idArgument), { kind: "dynamic", source: "job-ids" });
}

export function registerJobs(program: Command): void {
  listOptions(
    program
      .command("list")
      .description("list jobs, newest first")
      .addOption(
        new Option(
          "-s, --state <state>",
          "only jobs in this state (pending includes the blocked; blocked: waiting for their after jobs)",
        ).choices(LIST_STATES),
      )
      .option("-q, --search <text>", "only jobs whose id or command contains this text")
      .addOption(queueOption("only jobs of this queue")),
  ).action(async (options: ListOptions & { state?: ListState; search?: string; queue?: string }, command: Command) => {
    const inQueue = options.queue === undefined ? undefined : parseQueueName(options.queue);
    await withQueue(command, async (queue) => {
      const more = { value: false };
      const filter = { state: options.state, q: options.search, queue: inQueue };
      const shown = await printJobs(
        jobsOf(queue, filter, options.all ? Infinity : options.limit, more),
        options.json === true,
        "no jobs",
      );
      if (more.value) await tellCut(queue, filter, shown);
    });
  });

  const job = program.command("job").description("jobs by id: details, output, retry, delete");

  job
    .command("show")
    .description("a job with every attempt")
    .addArgument(jobIdArgument())
    .option("--json", "print JSON: the job, plus a history array with every attempt")
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const found = await queue.get(id);
        const attempts = await queue.attempts(id);
        const links = await queue.links(id);
        if (options.json) return printJson(jobDetailJson(found, attempts, Date.now(), links));
        const now = Date.now();
        const fields: [string, string][] = [
          ["id", text(found.id)],
          // A script keeps its lines; every other control character is shown, not obeyed.
          ["command", text(found.command, { lines: true })],
          ["state", jobStateLabel(found, now)],
          ["queue", text(found.queue)],
          ["priority", String(found.priority)],
          ["attempts", `${found.attempts} of ${maxRuns(found)} (max_retries ${found.max_retries})`],
          ["timeout", timeout(found.timeout)],
          ["run at", when(found.own_run_at ?? found.run_at, now)],
          ["created", when(found.created_at, now)],
          ["started", when(found.started_at, now)],
          ["finished", when(found.finished_at, now)],
          ["exit code", found.exit_code === null ? "-" : String(found.exit_code)],
          ["duration", duration(found.duration_ms)],
          ["last error", text(found.last_error ?? "-")],
        ];
        if (found.worker_id) fields.push(["worker", text(found.worker_id)]);
        fields.push(["directory", found.cwd === null ? "the worker's" : text(found.cwd)]);
        // One variable a line; a value's own newlines are shown escaped so each line stays one variable.
        Object.entries(found.env ?? {}).forEach(([k, v], i) =>
          fields.push([i === 0 ? "environment" : "", text(`${k}=${v}`)]),
        );
        if (found.schedule) fields.push(["schedule", text(found.schedule)]);
        if (found.key !== null) fields.push(["key", text(found.key)]);
        if (found.no_retry_exit_codes.length > 0) {
          fields.push(["no retry on", `exit code ${found.no_retry_exit_codes.join(", ")}`]);
        }
        fields.push(...linkFields(found, links));
        console.log(keyValues(fields));
        printLinks(links);
        if (attempts.length === 0) return;
        console.log();
        console.log(
          table(
            ["#", "outcome", "started", "duration", "exit", "stdout", "stderr", "error"],
            attempts.map((a) => [
              a.number,
              a.outcome === "completed"
                ? color.green(a.outcome)
                : a.outcome === "running"
                  ? color.yellow(a.outcome)
                  : color.red(a.outcome),
              when(a.started_at, now),
              duration(a.duration_ms),
              a.exit_code ?? text(a.signal ?? "-"),
              bytes(a.stdout_bytes),
              bytes(a.stderr_bytes),
              truncate(a.error ?? "", 50),
            ]),
          ),
        );
      });
    });

  job
    .command("output")
    .description("the raw output of a job's latest attempt (or --attempt N)")
    .addArgument(jobIdArgument())
    .option("--stdout", "standard output (the default)")
    .option("--stderr", "standard error")
    .option("-a, --attempt <n>", "attempt number (see job show)", intOption(1))
    .addOption(
      new Option(
        "-f, --follow",
        "keep printing while the job runs, like tail -f; then exit with the job's exit code (128+N if signal N killed it)",
      ).conflicts("json"),
    )
    .option("--json", "print JSON: the attempt, the stream, its text (invalid UTF-8 replaced) and its size")
    .action(
      async (
        id: string,
        options: { stdout?: boolean; stderr?: boolean; attempt?: number; follow?: boolean; json?: boolean },
        command: Command,
      ) => {
        const stream: OutputStream = options.stderr && !options.stdout ? "stderr" : "stdout";
        const status = await withQueue(command, async (queue: Queue) => {
          if (options.follow) return followOutput(queue, id, [stream], options.attempt);
          const output = await queue.output(id, { stream, attempt: options.attempt });
          if (!options.json) {
            if (output.pruned)
              tell(`output pruned (retention-output): attempt ${output.attempt} wrote ${output.total_bytes} bytes`);
            await writeRaw(output.data);
            return 0;
          }
          printJson(outputJson(id, stream, output)); // the shape of GET /api/jobs/:id/output
          return 0;
        });
        if (status !== 0) throw new ExitStatus(status);
      },
    );
}
