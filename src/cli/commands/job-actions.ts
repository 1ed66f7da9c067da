import { Argument, type Command } from "commander";
import { jobsActedJson, type JobsActed } from "../../core/job-actions.js";
import type { Queue } from "../../core/queue.js";
import { idArgument, withQueue } from "../context.js";
import { completes } from "../completion/spec.js";
import { ExitStatus } from "../exit.js";
import { printJson, text } from "../format.js";

type Action = (queue: Queue, ids: string[]) => Promise<JobsActed>;

/** `job delete` and `job retry`: several ids, each handled on its own. */
export function registerJobActions(program: Command): void {
  const job = program.commands.find((command) => command.name() === "job");
  if (!job) throw new Error("the job command must be registered first");

  actionCommand(job, "delete", "delete jobs that are not running, with their attempts and output", (queue, ids) =>
    queue.deleteJobs(ids),
  ).addHelpText(
    "after",
    `
A running job is refused: cancel it first. Prints the ids it deleted; exit 1 if any was refused.`,
  );

  actionCommand(
    job,
    "retry",
    "put finished jobs (completed, dead) back to pending: attempts reset, history kept",
    (queue, ids) => queue.retryJobs(ids),
  ).addHelpText(
    "after",
    `
A job that is waiting or running is refused (it will run anyway). Attempt numbers go on counting,
so the runs before the retry stay in job show. Prints the ids it retried; exit 1 if any was refused.`,
  );
}

function actionCommand(job: Command, name: string, description: string, act: Action): Command {
  return job
    .command(name)
    .description(description)
    .addArgument(
      completes(
        new Argument("<id...>", "job ids").argParser((value: string, previous: string[] = []) => [
          ...previous,
          idArgument(value),
        ]),
        { kind: "dynamic", source: "job-ids" },
      ),
    )
    .option("--json", "print {done: [ids], refused: [{id, error}]}")
    .action(async (ids: string[], options: { json?: boolean }, command: Command) => {
      const result = await withQueue(command, (queue) => act(queue, ids));
      if (options.json) printJson(jobsActedJson(result));
      else for (const done of result.done) console.log(text(done.id));
      // Each refused id on a line of its own, after what was done.
      if (result.refused.length > 0)
        throw new ExitStatus(
          1,
          result.refused.map((refusal) => refusal.error),
        );
    });
}
