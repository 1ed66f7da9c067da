import { Command } from "commander";
import { createRequire } from "node:module";
import { printable } from "../core/printable.js";
import { registerAdd } from "./commands/add.js";
import { registerConfig } from "./commands/config.js";
import { registerDlq } from "./commands/dlq.js";
import { registerEnqueue } from "./commands/enqueue.js";
import { registerJobs } from "./commands/jobs.js";
import { registerMetrics } from "./commands/metrics.js";
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
    .option(
      "--db <location>",
      "SQLite file or postgres:// URL (default: $QUEUECTL_DB, else $QUEUECTL_HOME/queuectl.db)",
    )
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

Environment: QUEUECTL_DB (store), QUEUECTL_HOME (data folder), NO_COLOR.`,
    );
  registerEnqueue(program);
  registerAdd(program);
  registerWait(program);
  registerWorker(program);
  registerStatus(program);
  registerJobs(program);
  registerDlq(program);
  registerMetrics(program);
  registerConfig(program);
  registerWeb(program);
  // Every subcommand reports usage errors through the same path (exit 2).
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}
