import type { RunResult } from "../core/types.js";

export type ExecutionOutcome = Exclude<RunResult["outcome"], "lost">;

/**
 * Why the worker stopped a command before it ended by itself. Each reads differently in the log
 * and in the attempt's error, so that a person can tell a requested stop from the worker's own.
 */
export type InterruptReason =
  /** `worker stop --now` (or a stop request through the store). */
  | "stop"
  /** The store gave the run to another worker (fencing): nothing is recorded for it. */
  | "disowned"
  /** The worker's store file was deleted or replaced: the worker stops and records nothing. */
  | "store-lost"
  /** A user cancelled the job (`job cancel`): the run ends cancelled, no retry. */
  | "cancel";

export type StopReason = "timeout" | InterruptReason;

export interface ExitFacts {
  /** The shell's exit code; null when a signal ended it. */
  code: number | null;
  signal: string | null;
  /** Why the worker stopped it, if it did; null when it ended by itself. */
  stopReason: StopReason | null;
  /** The run's timeout (for the message of a run that timed out). */
  timeoutMs: number | null;
  /** The end of what it wrote to stderr: its last line explains most failures. */
  stderrTail: Buffer | string;
}

export interface Outcome {
  outcome: ExecutionOutcome;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
}

const INTERRUPTED: Record<Exclude<InterruptReason, "cancel">, string> = {
  stop: "interrupted by worker stop --now; will run again",
  disowned: "interrupted: the run is no longer this worker's (recovered by another); nothing recorded",
  "store-lost": "interrupted: this worker's store was lost (its file deleted or replaced)",
};

/** What a command's end means for its run. Pure: the executor supplies the facts. */
export function outcome(facts: ExitFacts): Outcome {
  const { code, signal, stopReason } = facts;
  if (stopReason === "timeout") {
    const seconds = (facts.timeoutMs ?? 0) / 1000;
    const error = `timed out after ${seconds} s; the process group was killed`;
    return { outcome: "timeout", exit_code: code, signal, error };
  }
  if (stopReason === "cancel") {
    const how = signal ? ` (ended by ${signal})` : code !== null ? ` (exited with code ${code})` : "";
    return { outcome: "cancelled", exit_code: code, signal, error: `cancelled by job cancel${how}` };
  }
  if (stopReason) return { outcome: "interrupted", exit_code: code, signal, error: INTERRUPTED[stopReason] };
  if (signal) return { outcome: "failed", exit_code: null, signal, error: `killed by signal ${signal}` };
  if (code === 0) return { outcome: "completed", exit_code: 0, signal: null, error: null };
  return { outcome: "failed", exit_code: code, signal: null, error: failureMessage(code, facts.stderrTail) };
}

/** "exit code 1: <last line of stderr>" — the line a person needs first. */
function failureMessage(code: number | null, stderr: Buffer | string): string {
  const lastLine = stderr
    .toString("utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  const base = code === 127 ? "exit code 127 (command not found?)" : `exit code ${code}`;
  return lastLine ? `${base}: ${lastLine.slice(0, 300)}` : base;
}
