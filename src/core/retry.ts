import type { Config } from "./config.js";
import type { Job, RunResult } from "./types.js";
import type { NextState } from "./store.js";

/** Delay before the next run after failed run number k: backoff-base^k seconds, capped. */
export function backoffMs(failedRuns: number, config: Pick<Config, "backoff-base" | "backoff-max">): number {
  const seconds = Math.min(config["backoff-base"] ** failedRuns, config["backoff-max"]);
  return Math.round(seconds * 1000);
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
  config: Pick<Config, "backoff-base" | "backoff-max">,
): NextState {
  if (outcome === "completed") return { state: "completed" };
  if (outcome === "interrupted") return { state: "requeue" };
  if (outcome === "cancelled") return { state: "cancelled" };
  if (!retriesLeft(job)) return { state: "dead" };
  return { state: "failed", run_at: now + backoffMs(job.attempts, config) };
}
