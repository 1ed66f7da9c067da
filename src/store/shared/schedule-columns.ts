import type { Schedule } from "../../core/schedule.js";

/** The schedule columns both engines select (alias s), with the state of the last job (alias j). */
export const SCHEDULE_COLUMNS = `s.name, s.cron, s.tz, s.command, s.priority, s.max_retries, s.timeout, s.catch_up,
  s.overlap, s.paused, s.last_slot, s.next_slot, s.last_job_id, s.last_run_at, s.created_at, s.updated_at,
  s.queue, s.cwd, s.env, s.no_retry_exit_codes, j.state AS last_job_state`;

/**
 * A row of SCHEDULE_COLUMNS: the same fields, `paused` as the engine stores a boolean, and `env` and
 * the exit codes as JSON text where the engine (SQLite) has no object or array type.
 */
export type ScheduleRow = Omit<Schedule, "paused" | "env" | "no_retry_exit_codes"> & {
  paused: boolean | number;
  env: Schedule["env"] | string;
  no_retry_exit_codes: number[] | string;
};

export const toSchedule = (row: ScheduleRow): Schedule => ({
  ...row,
  paused: Boolean(row.paused),
  // Both were written from validated values.
  env: typeof row.env === "string" ? (JSON.parse(row.env) as Record<string, string>) : row.env,
  no_retry_exit_codes:
    typeof row.no_retry_exit_codes === "string"
      ? (JSON.parse(row.no_retry_exit_codes) as number[])
      : row.no_retry_exit_codes,
});
