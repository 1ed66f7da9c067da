import { Argument, Option, type Command } from "commander";
import { readFileSync } from "node:fs";
import { invalid } from "../../core/errors.js";
import type { Schedule } from "../../core/schedule.js";
import { scheduleJson } from "../../core/schedule-json.js";
import { shellCommand } from "../../core/shell-words.js";
import { withQueue } from "../context.js";
import { anyJobOption, jobOptionFields, jobOptions, type JobOptionValues } from "../job-options.js";
import { keyValues, printJson, relative, stateLabel, table, text, truncate, when } from "../format.js";
import { tell } from "../tell.js";

interface AddOptions extends JobOptionValues {
  cron?: string;
  tz?: string;
  catchUp?: string;
  overlap?: string;
  paused?: boolean;
  replace?: boolean;
  jsonInput?: string;
  json?: boolean;
}

const nameArgument = () => new Argument("<name>", "the schedule's name");

export function registerSchedule(program: Command): void {
  const schedule = program
    .command("schedule")
    .description("cron schedules: a job at every slot of a cron expression, fired by the workers");

  schedule
    .command("add")
    .description("add a schedule: add NAME --cron 'EXPR' [options] -- COMMAND ARGS...")
    .usage("NAME --cron 'EXPR' [options] -- COMMAND [ARGS...]  |  add --json-input JSON")
    .argument("[name]", "1 to 64 letters, digits, '.', '_' or '-'")
    .argument("[command...]", "the command and its arguments, quoted as by add")
    .option("-c, --cron <expr>", "5 fields (minute hour day month weekday), or 6 with seconds first")
    .option("--tz <zone>", "IANA time zone the expression is read in (default UTC), e.g. Europe/Berlin")
    .addOption(
      new Option("--catch-up <policy>", "slots missed while no worker ran: none, last (default), all (at most 100)"),
    )
    .addOption(new Option("--overlap <policy>", "allow (default), or skip a slot while the previous job is unfinished"))
    .addOption(jobOptions.queue())
    .addOption(jobOptions.priority())
    .addOption(jobOptions.retries())
    .addOption(jobOptions.timeout())
    .addOption(jobOptions.cwd())
    .addOption(jobOptions.env())
    .addOption(jobOptions.noRetryExitCode())
    .option("--paused", "add it paused")
    .option("--replace", "replace a schedule of the same name (its history is kept)")
    .option("--json-input <json>", "the whole schedule as JSON (fields as in --json output; - reads stdin)")
    .option("--json", "print the stored schedule as JSON")
    .addHelpText(
      "after",
      `
Every worker fires due slots; each slot makes exactly one job (its run_at is the slot), however
many workers run. A slot up to 10 s late fires; older slots were missed and follow --catch-up.
A 02:30 slot that a daylight-saving change skips fires at 03:00; one it repeats fires once.
The job options are those of add: each job runs in the current directory (or --cwd), with the
worker's environment plus each --env.

Examples:
  queuectl schedule add nightly --cron '30 2 * * *' --tz Europe/Berlin -- ./backup.sh /srv
  queuectl schedule add tick --cron '*/10 * * * * *' --overlap skip -- 'curl -fsS localhost/health'
  queuectl schedule add report --cron '0 6 * * 1-5' --queue reports --cwd /srv/app --env RELEASE=1 \\
    --no-retry-exit-code 2 -- make report
  queuectl schedule add --json-input '{"name":"hourly","cron":"0 * * * *","command":"make report"}'`,
    )
    .action(async (name: string | undefined, args: string[], options: AddOptions, command: Command) => {
      const input = options.jsonInput !== undefined ? fromJson(options, name, args) : fromOptions(name, args, options);
      await withQueue(command, async (queue) => {
        const added = await queue.schedules.add(input, { replace: options.replace });
        if (options.json) printJson(scheduleJson(added));
        else tell(`schedule ${added.name} added; next run ${describeNext(added)}`);
      });
    });

  schedule
    .command("list")
    .description("every schedule: expression, zone, next run, last run and its job's state")
    .option("--json", "print an array of schedules")
    .action(async (options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const all = await queue.schedules.list();
        if (options.json) return printJson(all.map(scheduleJson));
        if (all.length === 0) return tell("no schedules (add one: queuectl schedule add --help)");
        const now = Date.now();
        const rows = all.map((s) => [
          text(s.name),
          text(s.cron),
          text(s.tz),
          s.paused ? "paused" : s.next_slot === null ? "never" : relative(s.next_slot, now),
          s.last_run_at === null ? "-" : relative(s.last_run_at, now),
          s.last_job_state ? stateLabel(s.last_job_state) : s.last_job_id ? "(gone)" : "-",
          text(s.queue),
          truncate(text(s.command), 40),
        ]);
        const headers = ["NAME", "CRON", "TZ", "NEXT", "LAST", "LAST STATE", "QUEUE", "COMMAND"];
        process.stdout.write(`${table(headers, rows)}\n`);
      });
    });

  schedule
    .command("show")
    .description("one schedule in full")
    .addArgument(nameArgument())
    .option("--json", "print it as JSON")
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const s = await queue.schedules.get(name);
        if (options.json) return printJson(scheduleJson(s));
        process.stdout.write(`${keyValues(details(s))}\n`);
      });
    });

  for (const [verb, what] of [
    ["pause", "stop firing slots (a manual run still works)"],
    ["resume", "fire slots again, from now on (slots while paused are not fired)"],
  ] as const) {
    schedule
      .command(verb)
      .description(what)
      .addArgument(nameArgument())
      .option("--json", "print the schedule as JSON")
      .action(async (name: string, options: { json?: boolean }, command: Command) => {
        await withQueue(command, async (queue) => {
          const s = verb === "pause" ? await queue.schedules.pause(name) : await queue.schedules.resume(name);
          if (options.json) printJson(scheduleJson(s));
          else tell(`schedule ${s.name} ${verb === "pause" ? "paused" : `resumed; next run ${describeNext(s)}`}`);
        });
      });
  }

  schedule
    .command("remove")
    .description("remove a schedule (the jobs it made stay)")
    .addArgument(nameArgument())
    .option("--json", "print {removed: name}")
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        await queue.schedules.remove(name);
        if (options.json) printJson({ removed: name });
        else tell(`schedule ${name} removed`);
      });
    });

  schedule
    .command("run")
    .description("enqueue one job of the schedule now, outside its slots; prints the job id")
    .addArgument(nameArgument())
    .option("--json", "print {job_id}")
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const id = await queue.schedules.run(name);
        if (options.json) printJson({ job_id: id });
        else process.stdout.write(`${id}\n`);
      });
    });
}

function fromJson(options: AddOptions, name: string | undefined, args: string[]): unknown {
  const given = ["cron", "tz", "catchUp", "overlap", "paused"] as const;
  const mixed = given.some((key) => options[key] !== undefined) || anyJobOption(options);
  if (name !== undefined || args.length > 0 || mixed) {
    throw invalid("schedule add: give either --json-input or a name, options and a command, not both");
  }
  const source = options.jsonInput === "-" ? readFileSync(0, "utf8") : (options.jsonInput as string);
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw invalid(`--json-input: not valid JSON: ${(error as Error).message}`);
  }
}

/** The schedule JSON for these options, left for the core to validate (errors name its fields). */
function fromOptions(name: string | undefined, args: string[], options: AddOptions): Record<string, unknown> {
  if (name === undefined) throw invalid("schedule add: give a NAME, --cron and a command after -- (or --json-input)");
  if (options.cron === undefined) throw invalid("cron: required (--cron 'EXPR')", { cron: "is required" });
  const input: Record<string, unknown> = {
    name,
    cron: options.cron,
    command: shellCommand(args),
    ...jobOptionFields(options),
  };
  if (options.tz !== undefined) input.tz = options.tz;
  if (options.catchUp !== undefined) input.catch_up = options.catchUp;
  if (options.overlap !== undefined) input.overlap = options.overlap;
  if (options.paused) input.paused = true;
  return input;
}

function describeNext(s: Schedule): string {
  if (s.paused) return "- (paused)";
  return s.next_slot === null ? "never" : when(s.next_slot);
}

function details(s: Schedule): [string, string][] {
  return [
    ["name", text(s.name)],
    ["cron", `${text(s.cron)} (${text(s.tz)})`],
    ["command", text(s.command)],
    ["catch-up", s.catch_up],
    ["overlap", s.overlap],
    ["paused", s.paused ? "yes" : "no"],
    ["next run", describeNext(s)],
    [
      "last run",
      s.last_job_id === null
        ? "-"
        : `${when(s.last_run_at)}: job ${text(s.last_job_id)} ${s.last_job_state ? stateLabel(s.last_job_state) : "(gone)"}`,
    ],
    ["priority", s.priority === null ? "default" : String(s.priority)],
    ["max retries", s.max_retries === null ? "default (config max-retries)" : String(s.max_retries)],
    ["timeout", s.timeout === null ? "default (config job-timeout)" : `${s.timeout} s`],
    ["queue", text(s.queue)],
    ["directory", s.cwd === null ? "the worker's" : text(s.cwd)],
    // One variable a line, by name (engines keep them in different orders).
    ...Object.entries(s.env ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v], i): [string, string] => [i === 0 ? "environment" : "", text(`${k}=${v}`)]),
    ["no retry on", s.no_retry_exit_codes.length === 0 ? "-" : `exit code ${s.no_retry_exit_codes.join(", ")}`],
    ["created", when(s.created_at)],
  ];
}
