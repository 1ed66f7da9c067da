import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { QueueError } from "../core/errors.js";
import { logsDir } from "../core/paths.js";

const BIN = fileURLToPath(new URL("../../../bin/queuectl.js", import.meta.url));
const STARTUP_TIMEOUT_MS = 15_000;

/**
 * Starts `queuectl worker start --count N` in the background, its output in
 * $QUEUECTL_HOME/logs/, and returns once the worker has registered (or fails with its log).
 */
export async function spawnDetachedWorker(options: { count: number; db?: string }): Promise<{ pid: number; log: string }> {
  const dir = logsDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = join(dir, `worker-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.log`);
  const fd = openSync(log, "a", 0o600);
  const args = [BIN, "worker", "start", "--count", String(options.count)];
  if (options.db) args.push("--db", options.db);
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", fd, fd], env: process.env });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new QueueError("unavailable", `cannot start a worker process; see ${log}`);
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
  throw new QueueError("unavailable", `the worker did not report being started within ${STARTUP_TIMEOUT_MS / 1000} s (log: ${log})`);
}
