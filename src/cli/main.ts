import { CommanderError } from "commander";
import { QueueError } from "../core/errors.js";
import { printable } from "../core/printable.js";
import { ExitStatus } from "./exit.js";
import { guardOutput } from "./output.js";
import { buildProgram } from "./program.js";

/**
 * Exit codes, the same for every command (scripts rely on them): 0 success, 2 invalid input or
 * usage, 124 a wait that timed out, 1 everything else.
 */
async function main(): Promise<number> {
  try {
    await buildProgram().parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help / version).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ExitStatus) {
      for (const line of error.lines) process.stderr.write(`queuectl: ${printable(line)}\n`);
      return error.code;
    }
    if (error instanceof QueueError) {
      process.stderr.write(`queuectl: ${error.message}\n`);
      return error.kind === "invalid" ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    // One line, and no terminal control from whatever the message quotes.
    process.stderr.write(`queuectl: ${printable(message.split("\n")[0] ?? "")}\n`);
    if (process.env.QUEUECTL_DEBUG) console.error(error);
    return 1;
  }
}

guardOutput();
process.exitCode = await main();
