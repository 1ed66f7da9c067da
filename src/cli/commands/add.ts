import { Option, type Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import { invalid } from "../../core/errors.js";
import { enqueuedJson } from "../../core/json.js";
import { ON_CONFLICT_MODES } from "../../core/unique-key.js";
import { completes } from "../completion/spec.js";
import { shellCommand } from "../../core/shell-words.js";
import { withQueue } from "../context.js";
import { jobOptionFields, jobOptions, type JobOptionValues } from "../job-options.js";
import { ExitStatus } from "../exit.js";
import { followOutput } from "../follow.js";
import { printJson } from "../format.js";
import { tellExisting } from "../existing.js";
import { waitAndReport } from "./wait.js";

interface AddOptions extends JobOptionValues {
  id?: string;
  runAt?: string;
  delay?: string;
  key?: string;
  onConflict?: string;
  after?: string[];
  follow?: boolean;
  wait?: boolean;
  json?: boolean;
}

export function registerAdd(program: Command): void {
  program
    .command("add")
    .description("add a job from a command line: add [options] -- COMMAND ARGS...")
    .usage("[options] -- COMMAND [ARGS...]")
    .argument("[command...]", "the command and its arguments (one argument: a shell command line, as is)")
    .option("--id <id>", "the job's id (default: a new one)")
    .addOption(jobOptions.queue())
    .addOption(jobOptions.priority())
    .addOption(jobOptions.retries())
    .addOption(jobOptions.timeout())
    .addOption(
      new Option("--run-at <time>", "run no earlier than this ISO 8601 time (with offset or Z)").conflicts("delay"),
    )
    .option("-d, --delay <duration>", "run no earlier than this long from now: 30s, 10m, 2h, 1d")
    .addOption(jobOptions.cwd())
    .addOption(jobOptions.env())
    .option("-k, --key <key>", "unique key: no second active job with it (see --on-conflict)")
    .addOption(
      completes(
        new Option(
          "--on-conflict <mode>",
          "when an active job has the key: skip (answer it), replace (update it if not started), error",
        ),
        { kind: "words", words: [...ON_CONFLICT_MODES] },
      ),
    )
    .addOption(jobOptions.noRetryExitCode())
    .option(
      "-a, --after <ids>",
      "run only once these jobs (full ids) have completed; repeat or comma-separate",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      new Option("-f, --follow", "stream the job's output until it ends; exit with its exit code").conflicts([
        "wait",
        "json",
      ]),
    )
    .option("-w, --wait", "wait until the job ends: exit 0 completed, 1 dead or cancelled")
    .option("--json", "print the stored job as JSON instead of its id")
    .addHelpText(
      "after",
      `
Several arguments after -- are quoted for /bin/sh one by one, so each reaches the program exactly
(spaces, quotes, $ and all). One argument is a shell command line, run as it is. The job runs in
the current directory (--cwd to choose another; it must exist where the worker runs), with the
worker's environment plus each --env. With --follow the id goes to stderr and stdout carries the
job's output.

Examples:
  queuectl add -- printf '%s\\n' "a b" "c'd"
  queuectl add --priority 8 --retries 5 -- make test
  queuectl add --delay 10m -- 'cd /srv/app && ./deploy.sh'
  queuectl add --follow -- ./build.sh --release
  queuectl add --cwd /srv/app --env RELEASE=1 --env PATH -- make deploy
  queuectl add --key reindex --on-conflict replace --delay 30s -- ./reindex.sh
  queuectl add --no-retry-exit-code 2,64 -- ./sync.sh
  queuectl add --after build-42 --after lint-7 -- ./deploy.sh

A key is held while its job is pending, scheduled, awaiting a retry or running. Another add with
it prints that job's id instead of adding one (skip, the default; "job X with key K exists" on
stderr); --on-conflict replace gives a job that has not started the new command and times (a
debounce; a running one keeps running without its key and retries, and the new job is added);
--on-conflict error exits 1.`,
    )
    .action(async (args: string[], options: AddOptions, command: Command) => {
      const input = jobInput(args, options);
      const code = await withQueue(command, async (queue) => {
        const job = await queue.enqueue(input);
        if (job.existing) tellExisting(job, input.on_conflict);
        if (options.follow) {
          process.stderr.write(`[queuectl: job ${job.id}]\n`);
          return followOutput(queue, job.id, ["stdout", "stderr"]);
        }
        if (options.json) printJson(enqueuedJson(job));
        else process.stdout.write(`${job.id}\n`);
        return options.wait ? waitAndReport(queue, [job.id]) : 0;
      });
      if (code !== 0) throw new ExitStatus(code);
    });
}

/** The enqueue JSON for these options, left for the core to validate (errors name its fields). */
function jobInput(args: string[], options: AddOptions): Record<string, unknown> {
  const input: Record<string, unknown> = { command: shellCommand(args), ...jobOptionFields(options) };
  if (options.id !== undefined) input.id = options.id;
  if (options.runAt !== undefined) input.run_at = options.runAt;
  if (options.key !== undefined) input.key = options.key;
  if (options.onConflict !== undefined) input.on_conflict = options.onConflict;
  if (options.after !== undefined) {
    input.after = options.after.flatMap((list) => list.split(",")).filter((id) => id.length > 0);
  }
  if (options.delay !== undefined) {
    const ms = parseDuration(options.delay);
    if (ms === null) {
      throw invalid(`delay: must be a duration like 30s, 10m, 2h or 1d, got "${options.delay}"`, {
        delay: "must be a duration",
      });
    }
    input.run_at = new Date(Date.now() + ms).toISOString();
  }
  return input;
}
