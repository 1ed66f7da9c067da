import type { Config } from "./config.js";

/**
 * A job's optional fields are decided once, when it is enqueued, from the settings of that moment:
 * the stored job then says what will happen to it, and `config set` changes only jobs enqueued
 * afterwards. The worker reads the job, never the setting (but see runTimeoutMs).
 */

export const DEFAULT_PRIORITY = 5;

export interface JobOptions {
  priority?: number;
  max_retries?: number;
  /** Seconds; 0 = no timeout. */
  timeout?: number;
}

export function resolveDefaults(given: JobOptions, config: Config): Required<JobOptions> {
  return {
    priority: given.priority ?? DEFAULT_PRIORITY,
    max_retries: given.max_retries ?? config["max-retries"],
    timeout: given.timeout ?? config["job-timeout"],
  };
}

/**
 * How long one run may take, in ms, or null for no limit (a timeout of 0). A job written by a
 * version that left its timeout unset carries null: the job-timeout setting applies then, here only.
 */
export function runTimeoutMs(timeout: number | null, config: Config): number | null {
  const seconds = timeout ?? config["job-timeout"];
  return seconds > 0 ? seconds * 1000 : null;
}
