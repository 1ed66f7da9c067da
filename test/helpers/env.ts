import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Under CI every suite must run; on a developer's machine a missing service skips its suite. */
export const IS_CI = process.env.CI === "true" || process.env.CI === "1";

export const PG_URL = process.env.QUEUECTL_TEST_PG ?? "postgres://127.0.0.1:5432/test";
export const CHROMIUM = process.env.QUEUECTL_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** A fresh QUEUECTL_HOME for one test; removed by the returned cleanup. */
export function tempHome(prefix = "queuectl-test-"): { home: string; db: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, db: join(home, "queuectl.db"), cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Polls `condition` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 25 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line contains `needle` (via ps); only children of `parent` if given. */
export function pidsMatching(needle: string, parent?: number): number[] {
  const ps = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .filter((line) => line.includes(needle) && !line.includes("ps -eo"))
    .map((line) =>
      line
        .trim()
        .split(/\s+/)
        .map((field) => Number.parseInt(field, 10)),
    )
    .filter(([pid, ppid]) => Number.isInteger(pid) && pid !== process.pid && (parent === undefined || ppid === parent))
    .map(([pid]) => pid as number);
}

/**
 * Whether a live process of group `pgid` is left. Zombies do not count: a killed command's children
 * are reparented to PID 1, which here may take its time to reap them, but they no longer run.
 */
export function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") return true;
  }
  return false;
}
