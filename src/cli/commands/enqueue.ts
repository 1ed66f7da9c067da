import { Option, type Command } from "commander";
import { readFileSync } from "node:fs";
import { invalid } from "../../core/errors.js";
import { enqueuedJson } from "../../core/json.js";
import { tellExisting } from "../existing.js";
import { completes } from "../completion/spec.js";
import { withQueue } from "../context.js";
import { printJson } from "../format.js";

export function registerEnqueue(program: Command): void {
  program
    .command("enqueue")
    .description("add jobs: one JSON object (or an array), or JSON Lines from --file (all or nothing)")
    .argument("[json]", `the job, e.g. '{"command":"echo hi","priority":7}'`)
    .addOption(
      completes(new Option("-f, --file <path>", "read one job per line (JSON Lines); - reads standard input"), {
        kind: "files",
      }),
    )
    .option("--json", "print the stored jobs as JSON instead of their ids")
    .addHelpText(
      "after",
      `
Job fields: command (required, under 128 KiB), id (printable, no spaces), priority (1..10,
default 5, higher first), run_at (ISO 8601 with offset or Z), max_retries (0..1000, default
config max-retries), timeout (seconds, at most a year, 0 = none; default config job-timeout),
key (unique among active jobs, 1..200 printable characters) with on_conflict (skip: answer the
active job, the default; replace: update it if it has not started; error: exit 1),
no_retry_exit_codes (up to 64 exit codes 0..255 that go to dead without retry).
Defaults are decided now and stored with the job: a later config set does not change it.

Examples:
  queuectl enqueue '{"command":"make test","priority":8,"max_retries":5}'
  queuectl enqueue --file jobs.jsonl
  generate-jobs | queuectl enqueue --file -`,
    )
    .action(async (json: string | undefined, options: { file?: string; json?: boolean }, command: Command) => {
      const { inputs, labels } = readInputs(json, options.file);
      const jobs = await withQueue(command, (queue) => queue.enqueueMany(inputs, labels));
      jobs.forEach((job, index) => {
        if (job.existing) tellExisting(job, (inputs[index] as { on_conflict?: unknown }).on_conflict);
      });
      if (options.json)
        printJson(
          jobs.length === 1 && json !== undefined && !json.trim().startsWith("[")
            ? enqueuedJson(jobs[0]!)
            : jobs.map((j) => enqueuedJson(j)),
        );
      else process.stdout.write(`${jobs.map((job) => job.id).join("\n")}\n`);
    });
}

function readInputs(json: string | undefined, file: string | undefined): { inputs: unknown[]; labels?: string[] } {
  if (json !== undefined && file !== undefined) throw invalid("give either a JSON argument or --file, not both");
  if (file !== undefined) return readJsonLines(file);
  if (json === undefined) throw invalid("missing job: give a JSON argument or --file (see queuectl enqueue --help)");
  const value = parseJson(json, "invalid JSON");
  return { inputs: Array.isArray(value) ? value : [value] };
}

function readJsonLines(file: string): { inputs: unknown[]; labels: string[] } {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw invalid(`cannot read ${file === "-" ? "standard input" : file}: ${(error as Error).message}`);
  }
  const inputs: unknown[] = [];
  const labels: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    inputs.push(parseJson(line, `line ${index + 1}: invalid JSON`));
    labels.push(`line ${index + 1}`);
  });
  if (inputs.length === 0) throw invalid(`no jobs in ${file === "-" ? "standard input" : file}`);
  return { inputs, labels };
}

function parseJson(text: string, prefix: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`${prefix}: ${(error as Error).message}`);
  }
}
