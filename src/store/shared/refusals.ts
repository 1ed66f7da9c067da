import { conflict, notFound, type QueueError } from "../../core/errors.js";
import type { JobState } from "../../core/types.js";

/** The same words from both engines for a write the data refuses. */

export function duplicateId(id: string): QueueError {
  return conflict(`duplicate id "${id}": a job with this id already exists`);
}

/** Why retryDead changed nothing: no job with this id (`state` undefined), or one that is not dead. */
export function notRetryable(id: string, state: JobState | undefined): QueueError {
  if (state === undefined) return notFound("job", id);
  return conflict(`job ${id} is ${state}, not dead: only dead jobs can be retried`);
}

export function duplicateSchedule(name: string): QueueError {
  return conflict(`schedule "${name}" already exists (remove it first, or add with --replace)`);
}

/** on_conflict "error": an active job holds the key. */
export function keyTaken(key: string, holder: string | undefined): QueueError {
  return conflict(`key "${key}" is held by active job ${holder ?? "(just finished)"} (on_conflict error)`);
}
