import { Argument, type Command } from "commander";
import { jobJson } from "../../core/json.js";
import type { Job } from "../../core/types.js";
import { idArgument, withQueue } from "../context.js";
import { completes } from "../completion/spec.js";
import { ExitStatus } from "../exit.js";
import { printJson, text } from "../format.js";
import { tell } from "../tell.js";

/** `job cancel ID...`: each id on its own; exit 1 if any was refused (unknown, or finished). */
export function registerCancel(program: Command): void {
  const job = program.commands.find((command) => command.name() === "job");
  if (!job) throw new Error("job cancel: the job command must be registered first");
  job
    .command("cancel")
    .description("cancel jobs for good: waiting ones at once, running ones by signal, then SIGKILL")
    .addArgument(
      completes(
        new Argument("<id...>", "job ids").argParser((value: string, previous: string[] = []) => [
          ...previous,
          idArgument(value),
        ]),
        { kind: "dynamic", source: "job-ids" },
      ),
    )
    .option(
      "-s, --signal <signal>",
      "first signal to a running job's process group: TERM, INT, HUP, KILL … (default TERM)",
    )
    .option(
      "-g, --grace <duration>",
      "time before SIGKILL follows: seconds, or 500ms, 10s, 1m (default: config kill-grace, 5 s)",
    )
    .option("--json", "print the jobs cancelled or being cancelled, as a JSON array")
    .addHelpText(
      "after",
      `
A pending, failed (awaiting its retry) or scheduled job becomes cancelled at once. A running job's
whole process group gets the signal on whichever machine runs it (within a second on one host,
within one heartbeat across hosts), then SIGKILL after the grace; its attempt is recorded with
outcome cancelled, its output kept, and no retry follows. A cancelled job stays cancelled.
A completed, dead or cancelled job is refused (exit 1), as is an unknown id; the others are done.

Examples:
  queuectl job cancel 8f3a1c2e
  queuectl job cancel --signal INT --grace 30s build-1 build-2`,
    )
    .action(async (ids: string[], options: { signal?: string; grace?: string; json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const { done, refused } = await queue.cancelJobs(ids, { signal: options.signal, grace: options.grace });
        if (options.json) printJson(done.map((job) => jobJson(job)));
        else for (const job of done) tell(cancelled(job));
        if (refused.length > 0)
          throw new ExitStatus(
            1,
            refused.map((refusal) => refusal.error),
          );
      });
    });
}

function cancelled(job: Job): string {
  if (job.state === "cancelled") return `${text(job.id)} cancelled`;
  const grace = (job.cancel_grace_ms ?? 0) / 1000;
  const where = job.worker_id ? ` on worker ${text(job.worker_id)}` : "";
  return `${text(job.id)} cancelling: ${job.cancel_signal ?? "SIGTERM"} to its processes${where}, SIGKILL after ${grace} s`;
}
