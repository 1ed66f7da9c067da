import { Option, type Command } from "commander";
import { timeout } from "../../core/format.js";
import { jobDetailJson, jobJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { isScheduled, maxRuns } from "../../core/job-state.js";
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX } from "../../core/listing.js";
import { JOB_STATES, type Job, type JobFilter, type JobState, type OutputStream } from "../../core/types.js";
import { idArgument, intOption, withQueue } from "../context.js";
import {
  bytes,
  color,
  duration,
  keyValues,
  printJson,
  printJsonArray,
  relative,
  stateLabel,
  table,
  text,
  truncate,
  when,
} from "../format.js";
import { ExitStatus } from "../exit.js";
import { followOutput } from "../follow.js";
import { writeRaw } from "../output.js";

const JOB_HEAD = ["id", "state", "pri", "tries", "updated", "command"];
/** Jobs read per store call: 50 of the longest commands (128 KiB) are ~6.5 MB. */
const PAGE = 50;

/** The row people scan: id, state, priority, attempts, the time that matters, the command cut to one line. */
function jobRow(job: Job, now: number): (string | number)[] {
  return [
    text(job.id),
    stateLabel(job.state, isScheduled(job, now)),
    job.priority,
    `${job.attempts}/${maxRuns(job)}`,
    relative(job.updated_at, now),
    truncate(job.command, 60),
  ];
}

/**
 * Up to `limit` jobs of a filter, newest first, read page by page (keyset cursor), so a list of
 * 10,000 jobs of 128 KiB each is never in memory at once. Reports through `more` whether jobs
 * beyond the limit exist.
 */
export async function* jobsOf(
  queue: Queue,
  filter: Omit<JobFilter, "limit" | "cursor">,
  limit: number,
  more: { value: boolean } = { value: false },
): AsyncGenerator<Job> {
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

/** Prints jobs as a JSON array (`--json`, exact) or as the table people read (escaped). */
export async function printJobs(jobs: AsyncIterable<Job>, json: boolean, empty: string): Promise<void> {
  const now = Date.now();
  if (json) {
    return printJsonArray(
      (async function* () {
        for await (const job of jobs) yield jobJson(job, now);
      })(),
    );
  }
  // Only the cut rows are kept, not the jobs: the table needs every row to align its columns.
  const rows: (string | number)[][] = [];
  for await (const job of jobs) rows.push(jobRow(job, now));
  console.log(rows.length === 0 ? color.dim(empty) : table(JOB_HEAD, rows));
}

export function registerJobs(program: Command): void {
  program
    .command("list")
    .description("list jobs, newest first")
    .addOption(new Option("-s, --state <state>", "only jobs in this state").choices(JOB_STATES))
    .option("-q, --search <text>", "only jobs whose id or command contains this text")
    .option(
      "-n, --limit <n>",
      `at most this many jobs (1..${LIST_LIMIT_MAX})`,
      intOption(1, LIST_LIMIT_MAX),
      LIST_LIMIT_DEFAULT,
    )
    .option("--json", "print a JSON array of jobs")
    .action(async (options: { state?: JobState; search?: string; limit: number; json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const more = { value: false };
        const jobs = jobsOf(queue, { state: options.state, q: options.search }, options.limit, more);
        await printJobs(jobs, options.json === true, "no jobs");
        if (more.value && !options.json) console.log(color.dim(`… more: raise --limit (now ${options.limit})`));
      });
    });

  const job = program.command("job").description("one job: its details and output");

  job
    .command("show")
    .description("a job with every attempt")
    .argument("<id>", "job id", idArgument)
    .option("--json", "print JSON: the job, plus a history array with every attempt")
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const found = await queue.get(id);
        const attempts = await queue.attempts(id);
        if (options.json) return printJson(jobDetailJson(found, attempts));
        const now = Date.now();
        const fields: [string, string][] = [
          ["id", text(found.id)],
          // A script keeps its lines; every other control character is shown, not obeyed.
          ["command", text(found.command, { lines: true })],
          ["state", stateLabel(found.state, isScheduled(found, now))],
          ["priority", String(found.priority)],
          ["attempts", `${found.attempts} of ${maxRuns(found)} (max_retries ${found.max_retries})`],
          ["timeout", timeout(found.timeout)],
          ["run at", when(found.run_at, now)],
          ["created", when(found.created_at, now)],
          ["started", when(found.started_at, now)],
          ["finished", when(found.finished_at, now)],
          ["exit code", found.exit_code === null ? "-" : String(found.exit_code)],
          ["duration", duration(found.duration_ms)],
          ["last error", text(found.last_error ?? "-")],
        ];
        if (found.worker_id) fields.push(["worker", text(found.worker_id)]);
        console.log(keyValues(fields));
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
    .argument("<id>", "job id", idArgument)
    .option("--stdout", "standard output (the default)")
    .option("--stderr", "standard error")
    .option("-a, --attempt <n>", "attempt number (see job show)", intOption(1))
    .option(
      "-f, --follow",
      "keep printing while the job runs, like tail -f; then exit with the job's exit code (128+N if signal N killed it)",
    )
    .action(
      async (
        id: string,
        options: { stdout?: boolean; stderr?: boolean; attempt?: number; follow?: boolean },
        command: Command,
      ) => {
        const stream: OutputStream = options.stderr && !options.stdout ? "stderr" : "stdout";
        const status = await withQueue(command, async (queue: Queue) => {
          if (options.follow) return followOutput(queue, id, [stream], options.attempt);
          const output = await queue.output(id, { stream, attempt: options.attempt });
          await writeRaw(output.data);
          return 0;
        });
        if (status !== 0) throw new ExitStatus(status);
      },
    );
}
