import { resolve } from "node:path";
import { Option } from "commander";
import { parseDuration } from "../core/duration.js";
import { invalid } from "../core/errors.js";
import { queueOption } from "./commands/queue.js";

/**
 * The job options `add` and `schedule add` share: one definition each (name, help, parsing), and
 * one reading into the job JSON, which the core validates (so errors name the JSON field).
 */
export interface JobOptionValues {
  queue?: string;
  priority?: string;
  retries?: string;
  timeout?: string;
  cwd?: string;
  env?: string[];
  noRetryExitCode?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** commander reads a `--no-` option as the negation of another; this one is a name of its own. */
function literal(option: Option): Option {
  option.negate = false;
  return option;
}

export const jobOptions = {
  queue: () => queueOption("the queue the job goes to (default: default)"),
  priority: () => new Option("-p, --priority <n>", "1..10, higher first (default 5)"),
  retries: () => new Option("-r, --retries <n>", "retries after the first run, 0..1000 (default: config max-retries)"),
  timeout: () =>
    new Option(
      "-t, --timeout <duration>",
      "stop the job after: seconds, or 30s, 10m, 2h, 1d (default: config job-timeout)",
    ),
  cwd: () => new Option("-C, --cwd <dir>", "run the command in this directory (default: the current one)"),
  env: () =>
    new Option(
      "-e, --env <name[=value]>",
      "add a variable to the command's environment; NAME alone takes its value from here (repeatable)",
    ).argParser(collect),
  noRetryExitCode: () =>
    literal(
      new Option(
        "--no-retry-exit-code <codes>",
        "exit codes (0..255) that send the job to dead without retry; repeat or comma-separate",
      ).argParser(collect),
    ),
};

/**
 * The job JSON fields of these options, left for the core to validate: what is not a number or
 * duration is passed on as given. Like pueue, a job runs where it was added unless told otherwise.
 */
export function jobOptionFields(options: JobOptionValues): Record<string, unknown> {
  const input: Record<string, unknown> = { cwd: resolve(options.cwd ?? ".") };
  if (options.env !== undefined) input.env = envInput(options.env);
  if (options.queue !== undefined) input.queue = options.queue;
  if (options.priority !== undefined) input.priority = numeric(options.priority);
  if (options.retries !== undefined) input.max_retries = numeric(options.retries);
  if (options.timeout !== undefined) {
    const ms = parseDuration(options.timeout);
    input.timeout = ms === null ? options.timeout : ms / 1000;
  }
  if (options.noRetryExitCode !== undefined) {
    input.no_retry_exit_codes = options.noRetryExitCode.flatMap((list) => list.split(",")).map((c) => numeric(c));
  }
  return input;
}

/** Whether any of these options was given (the camelCase names commander gives them). */
export function anyJobOption(options: JobOptionValues): boolean {
  return Object.keys(jobOptions).some((name) => options[name as keyof JobOptionValues] !== undefined);
}

/** NAME=value pairs as an object, left for the core to validate; NAME alone: its value here. */
function envInput(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? process.env[name] : pair.slice(eq + 1);
    if (value === undefined) {
      throw invalid(`env: ${name} is not set here; give its value as --env ${name}=VALUE`, {
        env: "unset variable",
      });
    }
    Object.defineProperty(env, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return env;
}

function numeric(value: string): number | string {
  return /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}
