import type { Command } from "commander";
import { invalid } from "../../core/errors.js";
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX } from "../../core/listing.js";
import { idArgument, intOption, withQueue } from "../context.js";
import { text } from "../format.js";
import { jobsOf, printJobs } from "./jobs.js";

export function registerDlq(program: Command): void {
  const dlq = program.command("dlq").description("the dead letter queue: jobs that used up their retries");

  dlq
    .command("list")
    .description("dead jobs, newest first")
    .option(
      "-n, --limit <n>",
      `at most this many (1..${LIST_LIMIT_MAX})`,
      intOption(1, LIST_LIMIT_MAX),
      LIST_LIMIT_DEFAULT,
    )
    .option("--json", "print a JSON array of jobs")
    .action(async (options: { limit: number; json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const jobs = jobsOf(queue, { state: "dead" }, options.limit);
        await printJobs(jobs, options.json === true, "the dead letter queue is empty");
      });
    });

  dlq
    .command("retry")
    .description("put a dead job (or --all) back to pending, attempts reset, history kept")
    .argument("[id]", "job id", idArgument)
    .option("--all", "retry every dead job")
    .action(async (id: string | undefined, options: { all?: boolean }, command: Command) => {
      // Neither or both: a usage error (exit 2), never a lookup of the id "undefined".
      if ((options.all === true) === (id !== undefined)) {
        throw invalid("dlq retry: give a job id or --all (one of them)");
      }
      await withQueue(command, async (queue) => {
        if (options.all) {
          const count = await queue.retryAllDead();
          console.log(`${count} dead job(s) back to pending`);
        } else {
          const job = await queue.retry(id as string);
          console.log(`${text(job.id)} back to pending`);
        }
      });
    });
}
