import { spawn } from "node:child_process";
import type { OutputStream } from "../core/types.js";

/** What a started shell reports, in order: output and closed pipes, its exit (or why it never ran). */
export interface ShellEvents {
  output(stream: OutputStream, chunk: Buffer): void;
  /** The stream's pipe reached its end: nothing more will come from it. */
  closed(stream: OutputStream): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  /** The shell could not be started. */
  error(error: Error): void;
}

/** A running `/bin/sh -c COMMAND`, leader of a process group of its own. */
export interface ShellChild {
  /** Signals its process group; false when the group has no process left. */
  signalGroup(signal: NodeJS.Signals | 0): boolean;
  /** Its process group's id (the shell's pid), once known. */
  groupId(): number | undefined;
  /** Stops reading its pipes (a process that outlived the shell holds them). */
  closePipes(): void;
}

/**
 * Starts `/bin/sh -c command` with `env` added to the worker's environment, in directory `cwd` (default:
 * the worker's). May throw (e.g. a NUL byte).
 */
export type StartShell = (
  command: string,
  env: Record<string, string> | undefined,
  cwd: string | undefined,
  events: ShellEvents,
) => ShellChild;

/** Node's spawn, in a new session (detached): the in-process path and the fallback of the native spawner. */
export const nodeShell: StartShell = (command, env, cwd, events) => {
  const child = spawn("/bin/sh", ["-c", command], {
    detached: true,
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: env ? { ...inheritedEnv(), ...env } : process.env,
  });
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream].on("data", (chunk: Buffer) => events.output(stream, chunk));
    child[stream].once("close", () => events.closed(stream));
  }
  child.on("error", (error) => events.error(error));
  child.on("exit", (code, signal) => events.exit(code, signal));
  return {
    signalGroup: (signal) => {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, signal);
        return true;
      } catch {
        return false; // the group is already gone
      }
    },
    groupId: () => child.pid,
    closePipes: () => {
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
};

let inherited: NodeJS.ProcessEnv | null = null;

/** The worker's environment, copied once: reading process.env costs a getenv per variable, per job. */
function inheritedEnv(): NodeJS.ProcessEnv {
  inherited ??= { ...process.env };
  return inherited;
}
