import { constants } from "node:os";
import type { Attempt } from "./types.js";

/**
 * The exit status a shell would give for a run, so `add --follow` and `job output --follow` can
 * end like the command did: 0 when it completed, its exit code, 128 + the signal's number when a
 * signal killed it, and 1 when there is no code to give (lost, could not start, never ran).
 */
export function exitStatus(run: Pick<Attempt, "outcome" | "exit_code" | "signal"> | undefined): number {
  if (run === undefined) return 1;
  if (run.outcome === "completed") return 0;
  if (run.exit_code !== null && run.exit_code !== 0) return run.exit_code;
  const number = run.signal === null ? undefined : constants.signals[run.signal as NodeJS.Signals];
  return number === undefined ? 1 : 128 + number;
}
