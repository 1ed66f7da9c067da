import { Argument, type Command } from "commander";
import { invalid } from "../../core/errors.js";
import { jobJson } from "../../core/json.js";
import { idArgument, withQueue } from "../context.js";
import { completes } from "../completion/spec.js";
import { printJson, text } from "../format.js";
import { tell } from "../tell.js";
import { jobsOf, listOptions, printJobs, tellCut, type ListOptions } from "../job-list.js";

export function registerDlq(program: Command): void {
  const dlq = program.command("dlq").description("the dead letter queue: jobs that used up their retries");

  listOptions(dlq.command("list").description("dead jobs, newest first")).action(
    async (options: ListOptions, command: Command) => {
      await withQueue(command, async (queue) => {
        const more = { value: false };
        const jobs = jobsOf(queue, { state: "dead" }, options.all ? Infinity : options.limit, more);
        const shown = await printJobs(jobs, options.json === true, "the dead letter queue is empty");
        if (more.value) await tellCut(queue, { state: "dead" }, shown);
      });
    },
  );

  dlq
    .command("retry")
    .description("put a dead job (or --all) back to pending, attempts reset, history kept")
    .addArgument(
      completes(new Argument("[id]", "job id").argParser(idArgument), { kind: "dynamic", source: "job-ids" }),
    )
    .option("--all", "retry every dead job")
    .option("--json", "print the job back to pending (with --all: {retried: count})")
    .action(async (id: string | undefined, options: { all?: boolean; json?: boolean }, command: Command) => {
      // Neither or both: a usage error (exit 2), never a lookup of the id "undefined".
      if ((options.all === true) === (id !== undefined)) {
        throw invalid("dlq retry: give a job id or --all (one of them)");
      }
      await withQueue(command, async (queue) => {
        if (options.all) {
          const count = await queue.retryAllDead();
          if (options.json) printJson({ retried: count });
          else tell(`${count} dead job(s) back to pending`);
        } else {
          const job = await queue.retry(id as string);
          if (options.json) printJson(jobJson(job));
          else tell(`${text(job.id)} back to pending`);
        }
      });
    });
}
