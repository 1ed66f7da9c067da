import { readdirSync, readFileSync } from "node:fs";

/** Every job process carries its worker's id in its environment (inherited by its children). */
export const WORKER_ID_VAR = "QUEUECTL_WORKER_ID";
/** ... and its job's id and attempt number: together with the worker id, they mark one run. */
export const JOB_ID_VAR = "QUEUECTL_JOB_ID";
export const ATTEMPT_VAR = "QUEUECTL_ATTEMPT";

/**
 * A process matches a mark set when its environment holds every `NAME=value` of the set. The
 * environment a process was started with is inherited by everything it starts, so this finds the
 * processes that left the process group too (setsid, double fork); only one that replaced its
 * environment (`env -i`) escapes.
 */
export type MarkSet = readonly string[];

/** The marks of one run (job id, worker id and attempt, those present); none without a job id. */
export function runMarks(env: Readonly<Record<string, string>> | undefined): MarkSet {
  if (!env?.[JOB_ID_VAR]) return [];
  const names = [JOB_ID_VAR, WORKER_ID_VAR, ATTEMPT_VAR];
  return names.flatMap((name) => (env[name] === undefined ? [] : `${name}=${env[name]}`));
}

/**
 * Pids of the processes that match any of `sets`. Linux only (/proc); elsewhere none. A scan reads
 * every process's environ (~50-150 µs each): it is for timeouts, interrupts and dead workers, not
 * for every run.
 */
export function findMarked(sets: readonly MarkSet[]): number[] {
  const usable = sets.filter((set) => set.length > 0);
  if (process.platform !== "linux" || usable.length === 0) return [];
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Set<string>;
    try {
      environ = new Set(readFileSync(`/proc/${entry}/environ`, "latin1").split("\0"));
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (usable.some((set) => set.every((mark) => environ.has(mark)))) found.push(Number(entry));
  }
  return found;
}

/**
 * Sends `signal` to every process that matches; returns the pids signalled. With `exceptGroup`, the
 * processes of that group are left out: they had the signal from the group already, and a second
 * one would reach a child started after the first (a shell's trap that goes on to run more).
 */
export function signalMarked(sets: readonly MarkSet[], signal: NodeJS.Signals, exceptGroup?: number): number[] {
  const found = findMarked(sets);
  const others = exceptGroup === undefined ? found : found.filter((pid) => groupOf(pid) !== exceptGroup);
  return others.filter((pid) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false; // exited meanwhile
    }
  });
}

/**
 * SIGKILLs every process that matches, scanning again until a scan finds nothing new: a process
 * may fork while a scan runs, and its child would be missed. Returns how many were killed.
 */
export function killMarked(sets: readonly MarkSet[]): number {
  const killed = new Set<number>();
  for (let pass = 0; pass < 10; pass++) {
    const fresh = signalMarked(sets, "SIGKILL").filter((pid) => !killed.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) killed.add(pid);
  }
  return killed.size;
}

/**
 * Kills what is left of the jobs of workers that died on this host (kill -9, OOM): their commands
 * run in process groups of their own and would otherwise go on while the job runs again elsewhere.
 * Returns how many were killed.
 */
export function killOrphanedJobs(deadWorkerIds: string[]): number {
  return killMarked(deadWorkerIds.map((id) => [`${WORKER_ID_VAR}=${id}`]));
}

/** The process group of `pid` (field 5 of /proc/PID/stat, after the command in parentheses). */
function groupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined; // gone meanwhile
  }
}
