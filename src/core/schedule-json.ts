import type { Schedule } from "./schedule.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A schedule as `schedule … --json` prints it and the API sends it (snake_case, ISO 8601 UTC). */
export function scheduleJson(schedule: Schedule) {
  return {
    name: schedule.name,
    cron: schedule.cron,
    tz: schedule.tz,
    command: schedule.command,
    /** null: the config default when each job is made. */
    priority: schedule.priority,
    max_retries: schedule.max_retries,
    timeout: schedule.timeout,
    catch_up: schedule.catch_up,
    overlap: schedule.overlap,
    paused: schedule.paused,
    /** The next slot; null while paused (or when the expression has no further slot). */
    next_run: schedule.paused ? null : iso(schedule.next_slot),
    /** The latest job (from a slot or a manual run): when it was due, its id and its state now
     * (null when the job is gone, e.g. pruned). */
    last_run:
      schedule.last_job_id === null
        ? null
        : { at: iso(schedule.last_run_at), job_id: schedule.last_job_id, state: schedule.last_job_state },
    created_at: iso(schedule.created_at) as string,
    updated_at: iso(schedule.updated_at) as string,
    /** What each job gets, as a job prints them (null cwd: the worker's directory; null env: nothing added). */
    queue: schedule.queue,
    cwd: schedule.cwd,
    env: schedule.env,
    no_retry_exit_codes: schedule.no_retry_exit_codes,
  };
}

export type ScheduleJson = ReturnType<typeof scheduleJson>;
