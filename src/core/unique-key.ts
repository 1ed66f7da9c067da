/**
 * Unique keys: while a job with a key is active (pending, failed awaiting its retry, or processing),
 * no other active job has that key. Both engines hold the rule with a partial unique index over
 * those states and insert with ON CONFLICT, so two enqueues racing from different processes or
 * hosts cannot both add a job. What enqueue does when the key is taken is the new job's
 * `on_conflict`:
 * - skip (default): nothing is added; the active job is returned, marked existing.
 * - replace: a job that has not started (pending or failed) takes the new command, priority,
 *   run_at, max_retries, timeout and no_retry_exit_codes, and starts over (pending, attempts 0):
 *   a debounce. A processing job is left to finish but loses its key and its remaining retries,
 *   and the new job is added beside it (graphile-worker's job_key_mode "replace" does the same).
 * - error: nothing is added; enqueue fails with a conflict (exit 1, HTTP 409).
 */
import type { OnConflict } from "./types.js";

export const ON_CONFLICT_MODES = ["skip", "replace", "error"] as const satisfies readonly OnConflict[];

/** The states in which a key is held (the engines' partial index lists the same). */
export const KEY_HOLDING_STATES = ["pending", "failed", "processing"] as const;

export const MAX_KEY_CHARS = 200;
export const MAX_NO_RETRY_CODES = 64;

/** Keys are shown and typed: no controls or format characters (spaces are allowed). */
export const KEY_UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Keys queuectl gives its own jobs (the on-dead hook's) start with this; users' keys may not. */
export const RESERVED_KEY_PREFIX = "queuectl:";

/** The key of an on-dead hook job: this prefix and the dead job's id (core/on-dead.ts). */
export const HOOK_KEY_PREFIX = `${RESERVED_KEY_PREFIX}on-dead:`;

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_KEY_PREFIX);
}
