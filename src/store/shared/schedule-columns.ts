import type { Schedule } from "../../core/schedule.js";

/** The schedule columns both engines select (alias s), with the state of the last job (alias j). */
export const SCHEDULE_COLUMNS = `s.name, s.cron, s.tz, s.command, s.priority, s.max_retries, s.timeout, s.catch_up,
  s.overlap, s.paused, s.last_slot, s.next_slot, s.last_job_id, s.last_run_at, s.created_at, s.updated_at,
  j.state AS last_job_state`;

/** A row of SCHEDULE_COLUMNS: the same fields, `paused` as the engine stores a boolean. */
export type ScheduleRow = Omit<Schedule, "paused"> & { paused: boolean | number };

export const toSchedule = (row: ScheduleRow): Schedule => ({ ...row, paused: Boolean(row.paused) });
