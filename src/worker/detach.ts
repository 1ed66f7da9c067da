import { spawn, type ChildProcess } from "node:child_process";
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
 * Starts `queuectl worker start --count N` in the background, its output in
 * $QUEUECTL_HOME/logs/, and returns once the worker has registered (or fails with its log).
 * A process that cannot be spawned (EACCES, ENOENT, EAGAIN…) is an error of this call, never an
 * unhandled `error` event that would take the caller (the web server) down.
 */
export async function spawnDetachedWorker(options: {
  count: number;
  db?: string;
  /** More `worker start` options, and environment for the worker. */
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
  const args = [BIN, "worker", "start", "--count", String(options.count)];
  if (options.db) args.push("--db", options.db);
  args.push(...(options.args ?? []));
  let child: ChildProcess;
  let spawnError: Error | null = null;
  try {
    child = spawn(process.execPath, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...options.env },
    });
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
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? 1));
  child.unref();

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = readFileSync(log, "utf8");
    if (/worker \S+ started/.test(text)) return { pid, log };
    if (exited !== null) {
      const lastLine = text.trim().split("\n").at(-1) ?? "";
      throw new QueueError("unavailable", `the worker exited at once (code ${exited}): ${lastLine} (log: ${log})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new QueueError(
    "unavailable",
    `the worker did not report being started within ${STARTUP_TIMEOUT_MS / 1000} s (log: ${log})`,
  );
}
