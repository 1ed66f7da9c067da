import { writeSync } from "node:fs";

/**
 * What the CLI does when its own output cannot be written. A command's answer that cannot be
 * written is a failed command (one line on stderr, exit 1), except a reader that went away
 * (`queuectl list | head`), which is the reader's choice. The logs of workers and web servers go
 * to stderr (cli/logger.ts), so stdout is only ever answers.
 */

/** Installs the handlers; call once, before anything is written. */
export function guardOutput(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    // `queuectl job output ID | head` closes the pipe early: that is the reader's choice, not an error.
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    tellStderr(`queuectl: cannot write the output: ${error.code ?? error.message}`);
    process.exit(1);
  });
  // Nowhere is left to report a failing stderr: its lines are dropped.
  process.stderr.on("error", () => {});
}

function tellStderr(line: string): void {
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr is gone too: nothing to tell anyone.
  }
}

/** Bytes as they are: binary or invalid UTF-8 passes through untouched. */
export function writeRaw(data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (data.length === 0) return resolve();
    process.stdout.write(data, (error) => (error ? reject(error) : resolve()));
  });
}
