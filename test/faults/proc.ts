/**
 * Reads what the fault tests measure from /proc (Linux only): resident memory, a worker's helper
 * processes, and the processes that carry a job's marker in their environment.
 */
import { readdirSync, readFileSync } from "node:fs";

export const ON_LINUX = process.platform === "linux";

function read(path: string): string | null {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return null; // gone meanwhile
  }
}

/** A field of /proc/PID/status in kB (VmRSS, VmHWM); 0 when the process is gone. */
export function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = read(`/proc/${pid}/status`)?.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return match ? Number(match[1]) : 0;
}

function pids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** The parent pid of a process, or null when it is gone. */
export function parentOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: fields after the last ")".
  const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields?.[1] === undefined ? null : Number(fields[1]);
}

/** Children of `parent` whose command line contains `needle`. */
export function childrenMatching(parent: number, needle: string): number[] {
  return pids().filter((pid) => parentOf(pid) === parent && (read(`/proc/${pid}/cmdline`) ?? "").includes(needle));
}

/**
 * Live processes whose environment holds every `NAME=value` of `marks` (a zombie's environ reads
 * empty, so a killed process that is not reaped yet does not count).
 */
export function marked(marks: string[]): { pid: number; cmdline: string }[] {
  return pids().flatMap((pid) => {
    const environ = read(`/proc/${pid}/environ`)?.split("\0");
    if (!environ || !marks.every((mark) => environ.includes(mark))) return [];
    return [{ pid, cmdline: (read(`/proc/${pid}/cmdline`) ?? "").replaceAll("\0", " ").trim() }];
  });
}

/** SIGKILLs every process listed; ignores the ones already gone. */
export function killAll(list: { pid: number }[]): void {
  for (const { pid } of list) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}
