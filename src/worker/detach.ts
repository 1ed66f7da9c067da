import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { QueueError } from "../core/errors.js";
import { logsDir } from "../core/paths.js";

const BIN = fileURLToPath(new URL("../../../bin/queuectl.js", import.meta.url));
const STARTUP_TIMEOUT_MS = 15_000;

/** A worker that cannot be started is "unavailable" (CLI exit 1, HTTP 503): one line, the cause. */
const cannotStart = (reason: string): QueueError =>
  new QueueError("unavailable", `cannot start a worker process: ${reason}`);

const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";

/**
 * Starts `queuectl worker start --count N` in the background, its log (stderr) in the logs folder
 * (core/paths.ts), and returns once the worker has registered (or fails with its log's last line).
 * The worker says so over an IPC channel, not in its log, which may be at a level that omits it.
 * A process that cannot be spawned (EACCES, ENOENT, EAGAIN…) is an error of this call, never an
 * unhandled `error` event that would take the caller (the web server) down.
 */
export async function spawnDetachedWorker(options: {
  count: number;
  db?: string;
  /** More `worker start` options (the log's format and level, metrics), and environment for the worker. */
  args?: string[];
  env?: Record<string, string>;
}): Promise<{ pid: number; log: string }> {
  const dir = logsDir();
  const log = join(dir, `worker-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.log`);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(log, "a", 0o600);
  } catch (error) {
    throw cannotStart(`its log ${log} cannot be opened: ${reasonOf(error)}`);
  }
  const args = [BIN, "worker", "start", "--count", String(options.count), ...(options.args ?? [])];
  if (options.db) args.push("--db", options.db);
  let child: ChildProcess;
  let spawnError: Error | null = null;
  try {
    const stdio: StdioOptions = ["ignore", fd, fd, "ipc"];
    child = spawn(process.execPath, args, { detached: true, stdio, env: { ...process.env, ...options.env } });
    // Node reports a failed exec asynchronously, as an `error` event: without a listener it is fatal.
    child.on("error", (error) => (spawnError = error));
  } catch (error) {
    throw cannotStart(reasonOf(error));
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    // The event comes on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    throw cannotStart(spawnError === null ? `spawn ${process.execPath} failed` : reasonOf(spawnError));
  }
  try {
    await started(child, log);
    return { pid, log };
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** Resolves when the worker reports being started; fails when it exits first or takes too long. */
function started(child: ChildProcess, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { event?: unknown } | null) => {
      if (message?.event === "worker.started") settle(null);
    };
    const onExit = (code: number | null) => {
      let lastLine = "";
      try {
        lastLine = readFileSync(log, "utf8").trim().split("\n").at(-1) ?? "";
      } catch {
        // The log is gone: the exit code alone must do.
      }
      settle(`the worker exited at once (code ${code ?? 1}): ${lastLine} (log: ${log})`);
    };
    const timer = setTimeout(
      () => settle(`the worker did not report being started within ${STARTUP_TIMEOUT_MS / 1000} s (log: ${log})`),
      STARTUP_TIMEOUT_MS,
    );
    // Once settled, nothing more is heard from the worker: it lives on by itself.
    const settle = (failure: string | null) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (failure === null) resolve();
      else reject(new QueueError("unavailable", failure));
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}
