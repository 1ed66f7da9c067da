import { fstatSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { printable } from "../core/printable.js";

/**
 * What the CLI does when its own output cannot be written. A command's answer that cannot be
 * written is a failed command (one line on stderr, exit 1), except a reader that went away
 * (`queuectl list | head`), which is the reader's choice. A worker's or web server's log that
 * cannot be written (stdout on a full disk, /dev/full, a closed pipe) is dropped: losing log
 * lines must never stop jobs from running.
 */

let serving = false;
/** Set when stdout failed: log lines are counted instead of written until a write succeeds again. */
let dropped: { count: number; reason: string } | null = null;
let stdoutIsFile: boolean | null = null;

/** Installs the handlers; call once, before anything is written. */
export function guardOutput(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (serving) return logDropped(error);
    // `queuectl job output ID | head` closes the pipe early: that is the reader's choice, not an error.
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    tellStderr(`queuectl: cannot write the output: ${reason(error)}`);
    process.exit(1);
  });
  // Nowhere is left to report a failing stderr: its lines are dropped.
  process.stderr.on("error", () => {});
}

/** From now on this process is a worker or server: failed writes to stdout are never fatal. */
export function serveLogs(): void {
  serving = true;
}

/**
 * One log line, stamped; dropped (never thrown) when stdout cannot take it. Lines quote commands,
 * so their control characters are escaped (a stack trace keeps its lines).
 */
export function logLine(line: string): void {
  writeLog(`${new Date().toISOString()} ${printable(line, { lines: true })}\n`);
}

/** Text for the log as it is (e.g. the dashboard's address); dropped when stdout cannot take it. */
export function writeLog(text: string): void {
  if (fileLike()) {
    // Written directly, so a failure (ENOSPC) loses this line only: the next one is tried again,
    // and logging resumes by itself once the disk has room.
    try {
      writeSync(1, text);
    } catch (error) {
      logDropped(error as NodeJS.ErrnoException);
      return;
    }
    if (dropped) {
      const { count, reason: why } = dropped;
      dropped = null;
      writeLog(`${new Date().toISOString()} ${count} log line(s) were dropped: ${why}\n`);
    }
    return;
  }
  if (dropped) {
    dropped.count++;
    return;
  }
  // A pipe or terminal: asynchronous errors (EPIPE) arrive on the stream's "error" event.
  process.stdout.write(text);
}

function logDropped(error: NodeJS.ErrnoException): void {
  if (dropped) {
    dropped.count++;
    return;
  }
  dropped = { count: 1, reason: reason(error) };
  tellStderr(`queuectl: the log cannot be written (${dropped.reason}): log lines are dropped, jobs go on`);
}

/** stdout is a file or a device that is not a terminal (a log file, /dev/full, /dev/null). */
function fileLike(): boolean {
  if (stdoutIsFile === null) {
    try {
      const stat = fstatSync(1);
      stdoutIsFile = stat.isFile() || (stat.isCharacterDevice() && !isatty(1));
    } catch {
      stdoutIsFile = false;
    }
  }
  return stdoutIsFile;
}

function reason(error: NodeJS.ErrnoException): string {
  return error.code ?? error.message;
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
