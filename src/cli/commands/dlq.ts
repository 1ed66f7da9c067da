import type { Command } from "commander";
import { invalid } from "../../core/errors.js";
import { jobJson } from "../../core/json.js";
import { intOption, withQueue } from "../context.js";
import { color, printJson } from "../format.js";
import { jobTable } from "./jobs.js";

export function registerDlq(program: Command): void {
  const dlq = program.command("dlq").description("the dead letter queue: jobs that used up their retries");

  dlq
    .command("list")
    .description("dead jobs, newest first")
    .option("-n, --limit <n>", "at most this many (1..10000)", intOption(1, 10_000), 50)
    .option("--json", "print a JSON array of jobs")
    .action(async (options: { limit: number; json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const page = await queue.list({ state: "dead", limit: options.limit });
        if (options.json) return printJson(page.jobs.map((job) => jobJson(job)));
        if (page.jobs.length === 0) return console.log(color.dim("the dead letter queue is empty"));
        console.log(jobTable(page.jobs));
      });
    });

  dlq
    .command("retry")
    .description("put a dead job (or --all) back to pending, attempts reset, history kept")
    .argument("[id]", "job id")
    .option("--all", "retry every dead job")
    .action(async (id: string | undefined, options: { all?: boolean }, command: Command) => {
      if (options.all === (id !== undefined)) throw invalid("give a job id or --all (one of them)");
      await withQueue(command, async (queue) => {
        if (options.all) {
          const count = await queue.retryAllDead();
          console.log(`${count} dead job(s) back to pending`);
        } else {
          const job = await queue.retry(id as string);
          console.log(`${job.id} back to pending`);
        }
      });
    });
}
