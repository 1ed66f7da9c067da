import { Command, Option } from "commander";
import { createRequire } from "node:module";
import { invalid } from "../core/errors.js";
import { printable } from "../core/printable.js";
import { registerAdd } from "./commands/add.js";
import { registerCancel } from "./commands/cancel.js";
import { colorWanted, useColor } from "./colors.js";
import { registerCompletion } from "./commands/completion.js";
import { completes } from "./completion/spec.js";
import { registerConfig } from "./commands/config.js";
import { registerDlq } from "./commands/dlq.js";
import { registerEnqueue } from "./commands/enqueue.js";
import { registerJobs } from "./commands/jobs.js";
import { registerJobActions } from "./commands/job-actions.js";
import { registerMetrics } from "./commands/metrics.js";
import { registerQueue } from "./commands/queue.js";
import { registerSchedule } from "./commands/schedule.js";
import { registerPrune } from "./commands/prune.js";
import { registerStatus } from "./commands/status.js";
import { registerWait } from "./commands/wait.js";
import { registerWeb } from "./commands/web.js";
import { registerWorker } from "./commands/worker.js";

const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string };

/** The whole CLI: a thin face over the Queue. */
export function buildProgram(): Command {
  const program = new Command("queuectl")
    .description("a job queue for shell commands: enqueue, run in parallel with retries, inspect")
    .version(version)
    .addOption(
      completes(
        new Option(
          "--db <location>",
          "SQLite file or postgres:// URL (default: $QUEUECTL_DB, else $QUEUECTL_HOME/queuectl.db)",
        ),
        { kind: "files" },
      ),
    )
    .option("--no-color", "no colour, even on a terminal (also: NO_COLOR=1; FORCE_COLOR=1 forces it)")
    .hook("preAction", (_program, action) => {
      const { color } = action.optsWithGlobals<{ color?: boolean }>();
      useColor(colorWanted(color !== false, process.env, process.stdout.isTTY === true));
    })
    // One line per usage error, in the same form as every other error.
    .configureOutput({
      outputError: (text, write) => write(`queuectl: ${printable(text.trim().replace(/^error: /, ""))} (see --help)\n`),
    })
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      "after",
      `
Quick start:
  queuectl enqueue '{"command":"echo hello"}'
  queuectl worker start --count 4
  queuectl status
  queuectl job output <id>

Environment: QUEUECTL_DB (store), QUEUECTL_HOME (data folder), NO_COLOR, FORCE_COLOR.
Shell completion: queuectl completion bash|zsh|fish (see queuectl completion --help).`,
    );
  registerEnqueue(program);
  registerAdd(program);
  registerWait(program);
  registerWorker(program);
  registerStatus(program);
  registerJobs(program);
  registerQueue(program);
  registerCancel(program);
  registerJobActions(program);
  registerDlq(program);
  registerMetrics(program);
  registerConfig(program);
  registerSchedule(program);
  registerPrune(program);
  registerWeb(program);
  registerCompletion(program);
  program.commands.forEach(requireSubcommand);
  // Every subcommand reports usage errors through the same path (exit 2).
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/**
 * A group (`job`, `worker` …) called without one of its commands is a usage error in one line, as
 * a missing argument is; commander would print the whole help instead.
 */
function requireSubcommand(group: Command): void {
  if (group.commands.length === 0) return;
  const names = group.commands.map((c) => c.name()).join(" | ");
  group.allowExcessArguments().action((_options: unknown, command: Command) => {
    const [given] = command.args;
    const what = given === undefined ? `missing command: ${names}` : `unknown command '${printable(given)}'`;
    throw invalid(`${group.name()}: ${what} (see queuectl ${group.name()} --help)`);
  });
}
