import { DEFAULT_QUEUE } from "../../../core/queues.js";
import { overlapSkips, type NewSchedule, type Schedule, type ScheduleFiring } from "../../../core/schedule.js";
import type { JobState } from "../../../core/types.js";
import { duplicateSchedule } from "../../shared/refusals.js";
import { SCHEDULE_COLUMNS, toSchedule, type ScheduleRow } from "../../shared/schedule-columns.js";
import type { Db } from "../db.js";

const FROM = `FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id`;

const INSERT = `INSERT INTO schedules (name, cron, tz, command, priority, max_retries, timeout, catch_up, overlap,
    paused, last_slot, next_slot, last_job_id, last_run_at, created_at, updated_at, queue, cwd, env,
    no_retry_exit_codes)
  VALUES (@name, @cron, @tz, @command, @priority, @max_retries, @timeout, @catch_up, @overlap,
    @paused, @last_slot, @next_slot, NULL, NULL, @created_at, @updated_at, @queue, @cwd, @env,
    @no_retry_exit_codes)`;

// A replaced definition keeps the schedule's history: its last job, creation and settled slots.
const REPLACE = `${INSERT}
  ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, tz = excluded.tz, command = excluded.command,
    priority = excluded.priority, max_retries = excluded.max_retries, timeout = excluded.timeout,
    catch_up = excluded.catch_up, overlap = excluded.overlap, paused = excluded.paused,
    last_slot = max(last_slot, excluded.last_slot), next_slot = excluded.next_slot, updated_at = excluded.updated_at,
    queue = excluded.queue, cwd = excluded.cwd, env = excluded.env, no_retry_exit_codes = excluded.no_retry_exit_codes`;

export function insertSchedule(db: Db, schedule: NewSchedule, replace: boolean): void {
  const row = {
    ...schedule,
    paused: schedule.paused ? 1 : 0,
    env: schedule.env ? JSON.stringify(schedule.env) : null,
    no_retry_exit_codes: JSON.stringify(schedule.no_retry_exit_codes),
  };
  db.write(() => {
    if (replace) return db.sql(REPLACE).run(row);
    if (db.sql(`SELECT 1 FROM schedules WHERE name = ?`).get(schedule.name)) throw duplicateSchedule(schedule.name);
    return db.sql(INSERT).run(row);
  });
}

export function getSchedule(db: Db, name: string): Schedule | null {
  const row = db.sql(`SELECT ${SCHEDULE_COLUMNS} ${FROM} WHERE s.name = ?`).get(name) as ScheduleRow | undefined;
  return row ? toSchedule(row) : null;
}

export function listSchedules(db: Db): Schedule[] {
  return (db.sql(`SELECT ${SCHEDULE_COLUMNS} ${FROM} ORDER BY s.name`).all() as ScheduleRow[]).map(toSchedule);
}

export function dueSchedules(db: Db, now: number): Schedule[] {
  const rows = db.sql(`SELECT ${SCHEDULE_COLUMNS} ${FROM} WHERE s.paused = 0 AND s.next_slot <= ?`).all(now);
  return (rows as ScheduleRow[]).map(toSchedule);
}

export function nextScheduleSlot(db: Db): number | null {
  const row = db.sql(`SELECT min(next_slot) AS at FROM schedules WHERE paused = 0`).get() as { at: number | null };
  return row.at;
}

export function setSchedulePaused(db: Db, name: string, paused: boolean, now: number, next: number | null): boolean {
  const sql = paused
    ? `UPDATE schedules SET paused = 1, updated_at = @now WHERE name = @name`
    : `UPDATE schedules SET paused = 0, last_slot = max(last_slot, @now), next_slot = @next, updated_at = @now
       WHERE name = @name`;
  return db.write(() => db.sql(sql).run(paused ? { name, now } : { name, now, next }).changes > 0);
}

export function removeSchedule(db: Db, name: string): boolean {
  return db.write(() => db.sql(`DELETE FROM schedules WHERE name = ?`).run(name).changes > 0);
}

const INSERT_JOB = `INSERT INTO jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at,
    schedule, schedule_slot, queue, cwd, env, no_retry_exit_codes)
  VALUES (@id, @command, 'pending', @priority, @max_retries, @timeout, @run_at, @created_at, @created_at,
    @schedule, @schedule_slot, @queue, @cwd, @env, @no_retry_exit_codes)
  ON CONFLICT DO NOTHING`;

export function fireSchedule(db: Db, firing: ScheduleFiring): string[] | null {
  const { name, now, advance } = firing;
  return db.write(() => {
    const current = db.sql(`SELECT s.paused, s.last_slot, s.overlap, j.state ${FROM} WHERE s.name = ?`).get(name) as
      { paused: number; last_slot: number; state: JobState | null } | undefined;
    if (!current) return null;
    if (advance) {
      // Compare-and-set: another worker (or process) that fired first moved last_slot on.
      if (current.paused === 1 || current.last_slot !== advance.from) return null;
      db.sql(`UPDATE schedules SET last_slot = ?, next_slot = ?, updated_at = ? WHERE name = ?`).run(
        advance.through,
        advance.next_slot,
        now,
        name,
      );
    }
    if (firing.skip_if_active && overlapSkips("skip", current.state)) return [];
    const insert = db.sql(INSERT_JOB);
    const ids: string[] = [];
    for (const job of firing.jobs) {
      const row = {
        id: job.id,
        command: job.command,
        priority: job.priority,
        max_retries: job.max_retries,
        timeout: job.timeout,
        run_at: job.run_at,
        created_at: job.created_at,
        schedule: name,
        schedule_slot: job.schedule_slot ?? null,
        queue: job.queue ?? DEFAULT_QUEUE,
        cwd: job.cwd ?? null,
        env: job.env ? JSON.stringify(job.env) : null,
        no_retry_exit_codes: JSON.stringify(job.no_retry_exit_codes ?? []),
      };
      if (insert.run(row).changes > 0) ids.push(job.id);
    }
    const last = firing.jobs.find((job) => job.id === ids.at(-1));
    if (last) {
      db.sql(`UPDATE schedules SET last_job_id = ?, last_run_at = ?, updated_at = ? WHERE name = ?`).run(
        last.id,
        last.run_at,
        now,
        name,
      );
    }
    return ids;
  });
}
