import type { Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import { invalid } from "../../core/errors.js";
import { jobJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { waitForJobs } from "../../core/wait.js";
import { idArgument, withQueue } from "../context.js";
import { ExitStatus, TIMED_OUT } from "../exit.js";
import { printJsonArray } from "../format.js";

/** Exit code of a wait that ran out of time, as timeout(1) gives. */
/** Unfinished ids named in the timeout message; the rest are counted. */
const NAMED = 10;

export function registerWait(program: Command): void {
  program
    .command("wait")
    .description("wait until jobs end: exit 0 if all completed, 1 naming the dead, 124 on --timeout")
    .argument("<id...>", "job ids", (value: string, previous: string[] = []) => [...previous, idArgument(value)])
    .option("-t, --timeout <duration>", "give up after this long: seconds, or 30s, 10m, 2h")
    .option("--json", "print the jobs as they ended, as a JSON array")
    .addHelpText(
      "after",
      `
A failed job that will be retried is not finished: wait goes on until it completes or is dead.
It sleeps until a worker says jobs finished (the same kind of wake-up workers get for new jobs:
a watched file on SQLite, LISTEN/NOTIFY on PostgreSQL), then reads what changed; it also looks
every 5 s in case a wake-up was lost. Waiting costs workers nothing.

Examples:
  queuectl wait "$(queuectl add -- make)"
  queuectl wait --timeout 10m job-a job-b && echo all done`,
    )
    .action(async (ids: string[], options: { timeout?: string; json?: boolean }, command: Command) => {
      const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
      if (timeoutMs === null) {
        throw invalid(`timeout: must be a duration like 30s, 10m or 2h, got "${options.timeout}"`, {
          timeout: "must be a duration",
        });
      }
      await withQueue(command, (queue) => waitAndReport(queue, ids, timeoutMs, options.json === true));
    });
}

/**
 * Waits for `ids` and reports like `wait`: returns 0 when all completed; throws an exit status of 1
 * naming each job that ended otherwise (one line each), or 124 naming what is unfinished.
 */
export async function waitAndReport(queue: Queue, ids: string[], timeoutMs?: number, json = false): Promise<0> {
  const { finished, unfinished } = await waitForJobs(queue, ids, { timeoutMs, safetyPollMs: safetyPollMs() });
  if (unfinished.length > 0) {
    const named = unfinished.slice(0, NAMED).join(", ");
    const more = unfinished.length > NAMED ? ` and ${unfinished.length - NAMED} more` : "";
    throw new ExitStatus(TIMED_OUT, [`timed out after ${(timeoutMs ?? 0) / 1000} s; not finished: ${named}${more}`]);
  }
  if (json) {
    await printJsonArray(
      (async function* () {
        for (const job of finished) yield jobJson(await queue.get(job.id));
      })(),
    );
  }
  // Anything that ended other than completed (dead, or cancelled by a user) is a failure.
  const failed = finished.filter((job) => job.state !== "completed");
  if (failed.length > 0) {
    throw new ExitStatus(
      1,
      failed.map((job) => `job ${job.id} ended ${job.state}: ${job.last_error ?? "no error recorded"}`),
    );
  }
  return 0;
}

/**
 * QUEUECTL_WAIT_SAFETY_POLL_MS: how often a wait looks without a wake-up (for tests that prove
 * waits are woken, by setting it longer than they wait).
 */
function safetyPollMs(): number | undefined {
  const value = Number(process.env.QUEUECTL_WAIT_SAFETY_POLL_MS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
