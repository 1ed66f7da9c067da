import { readdirSync, readFileSync } from "node:fs";

/** Every job process carries its worker's id in its environment (inherited by its children). */
export const WORKER_ID_VAR = "QUEUECTL_WORKER_ID";

/**
 * Kills what is left of the jobs of workers that died on this host (kill -9, OOM): their commands
 * run in process groups of their own and would otherwise go on while the job runs again elsewhere.
 * They are found by the worker id in their environment, so children that left the process group
 * are found too. Linux only (/proc); elsewhere nothing is done. Returns how many were killed.
 */
export function killOrphanedJobs(deadWorkerIds: string[]): number {
  if (process.platform !== "linux" || deadWorkerIds.length === 0) return 0;
  const marks = new Set(deadWorkerIds.map((id) => `${WORKER_ID_VAR}=${id}`));
  let killed = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (!environ.split("\0").some((variable) => marks.has(variable))) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
