import { Argument, Option, type Command } from "commander";
import { jobDetailJson, outputJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { LIST_STATES, type ListState, type OutputStream } from "../../core/types.js";
import { idArgument, intOption, withQueue } from "../context.js";
import { printJson } from "../format.js";
import { completes } from "../completion/spec.js";
import { parseQueueName } from "../../core/queues.js";
import { ExitStatus } from "../exit.js";
import { followOutput } from "../follow.js";
import { printJobDetail } from "../job-detail.js";
import { jobsOf, listOptions, printJobs, tellCut, type ListOptions } from "../job-list.js";
import { writeRaw } from "../output.js";
import { tell } from "../tell.js";
import { queueOption } from "./queue.js";

// The list helpers moved to ../job-list.ts; this path keeps answering for their importers.
export { jobsOf, listOptions, printJobs, tellCut, type ListOptions } from "../job-list.js";

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
        printJobDetail(found, attempts, links);
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
