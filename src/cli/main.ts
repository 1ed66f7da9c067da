import { CommanderError } from "commander";
import { QueueError } from "../core/errors.js";
import { buildProgram } from "./program.js";

/** Exit codes (DESIGN §6): 0 success, 2 invalid input or usage, 1 everything else. */
async function main(): Promise<number> {
  try {
    await buildProgram().parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help / version).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof QueueError) {
      process.stderr.write(`queuectl: ${error.message}\n`);
      return error.kind === "invalid" ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`queuectl: ${message.split("\n")[0]}\n`);
    if (process.env.QUEUECTL_DEBUG) console.error(error);
    return 1;
  }
}

// `queuectl job output ID | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main();
