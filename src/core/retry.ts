import type { Config } from "./config.js";
import type { Job, RunResult } from "./types.js";
import type { NextState } from "./store.js";

type BackoffConfig = Pick<Config, "backoff-base" | "backoff-max"> & Partial<Pick<Config, "backoff-jitter">>;

/** A number in [0, 1): Math.random, or a fixed sequence in tests. */
export type RandomSource = () => number;

/**
 * Delay before the next run after failed run number k: backoff-base^k seconds, capped by
 * backoff-max. With backoff-jitter j the delay is drawn uniformly from [(1 - j) * d, d]: 0 keeps it
 * exact, 1 is full jitter ([0, d]), so many jobs failing together do not all come back together.
 */
export function backoffMs(failedRuns: number, config: BackoffConfig, random: RandomSource = Math.random): number {
  const seconds = Math.min(config["backoff-base"] ** failedRuns, config["backoff-max"]);
  const jitter = config["backoff-jitter"] ?? 0;
  const factor = jitter > 0 ? 1 - jitter * random() : 1;
  return Math.round(seconds * factor * 1000);
}

/** Whether a job that has run `attempts` times (the last one failed) may run again. */
export function retriesLeft(job: Pick<Job, "attempts" | "max_retries">): boolean {
  return job.attempts <= job.max_retries;
}

/** Where a job goes after a run. `max_retries` counts retries after the first run. */
export function nextState(
  job: Pick<Job, "attempts" | "max_retries">,
  outcome: RunResult["outcome"],
  now: number,
  config: BackoffConfig,
  random: RandomSource = Math.random,
): NextState {
  if (outcome === "completed") return { state: "completed" };
  if (outcome === "interrupted") return { state: "requeue" };
  if (outcome === "cancelled") return { state: "cancelled" };
  if (!retriesLeft(job)) return { state: "dead" };
  return { state: "failed", run_at: now + backoffMs(job.attempts, config, random) };
}

export interface RunDecision {
  next: NextState;
  /** The run's error as recorded (attempt and last_error): the run's own, or why it is not retried. */
  error: string | null;
}

/**
 * nextState plus the job's exit-code policy: a run that exits with one of the job's
 * no_retry_exit_codes goes dead at once, whatever retries are left, and its error says so.
 */
export function afterRun(
  job: Pick<Job, "attempts" | "max_retries" | "no_retry_exit_codes">,
  run: Pick<RunResult, "outcome" | "exit_code" | "error">,
  now: number,
  config: BackoffConfig,
  random: RandomSource = Math.random,
): RunDecision {
  const code = run.exit_code;
  if (run.outcome === "failed" && code !== null && (job.no_retry_exit_codes ?? []).includes(code)) {
    const why = `exit code ${code} is in no_retry_exit_codes: not retried`;
    return { next: { state: "dead" }, error: run.error ? `${run.error} (${why})` : why };
  }
  return { next: nextState(job, run.outcome, now, config, random), error: run.error };
}
