import { DEFAULT_QUEUE } from "../../../core/queues.js";
import { ACTIVE_STATES, type NewSchedule, type Schedule, type ScheduleFiring } from "../../../core/schedule.js";
import { duplicateSchedule } from "../../shared/refusals.js";
import { SCHEDULE_COLUMNS, toSchedule, type ScheduleRow } from "../../shared/schedule-columns.js";
import type { Db } from "../db.js";

const from = (db: Db): string => `FROM ${db.s}.schedules s LEFT JOIN ${db.s}.jobs j ON j.id = s.last_job_id`;

export async function insertSchedule(db: Db, schedule: NewSchedule, replace: boolean): Promise<void> {
  const s = schedule;
  // A replaced definition keeps the schedule's history: its last job, creation and settled slots.
  const onConflict = replace
    ? `ON CONFLICT (name) DO UPDATE SET cron = EXCLUDED.cron, tz = EXCLUDED.tz, command = EXCLUDED.command,
         priority = EXCLUDED.priority, max_retries = EXCLUDED.max_retries, timeout = EXCLUDED.timeout,
         catch_up = EXCLUDED.catch_up, overlap = EXCLUDED.overlap, paused = EXCLUDED.paused,
         last_slot = greatest(schedules.last_slot, EXCLUDED.last_slot), next_slot = EXCLUDED.next_slot,
         updated_at = EXCLUDED.updated_at, queue = EXCLUDED.queue, cwd = EXCLUDED.cwd, env = EXCLUDED.env,
         no_retry_exit_codes = EXCLUDED.no_retry_exit_codes`
    : `ON CONFLICT (name) DO NOTHING`;
  const { rowCount } = await db.query(
    `INSERT INTO ${db.s}.schedules (name, cron, tz, command, priority, max_retries, timeout, catch_up, overlap,
       paused, last_slot, next_slot, created_at, updated_at, queue, cwd, env, no_retry_exit_codes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::smallint[])
     ${onConflict}`,
    [
      s.name,
      s.cron,
      s.tz,
      s.command,
      s.priority,
      s.max_retries,
      s.timeout,
      s.catch_up,
      s.overlap,
      s.paused,
      s.last_slot,
      s.next_slot,
      s.created_at,
      s.updated_at,
      s.queue,
      s.cwd,
      s.env ? JSON.stringify(s.env) : null,
      s.no_retry_exit_codes,
    ],
  );
  if (rowCount === 0) throw duplicateSchedule(s.name);
}

export async function getSchedule(db: Db, name: string): Promise<Schedule | null> {
  const { rows } = await db.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} ${from(db)} WHERE s.name = $1`, [name]);
  return rows[0] ? toSchedule(rows[0]) : null;
}

export async function listSchedules(db: Db): Promise<Schedule[]> {
  const { rows } = await db.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} ${from(db)} ORDER BY s.name`);
  return rows.map(toSchedule);
}

export async function dueSchedules(db: Db, now: number): Promise<Schedule[]> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT ${SCHEDULE_COLUMNS} ${from(db)} WHERE NOT s.paused AND s.next_slot <= $1`,
    [now],
    "due-schedules",
  );
  return rows.map(toSchedule);
}

export async function nextScheduleSlot(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ at: number | null }>(
    `SELECT min(next_slot) AS at FROM ${db.s}.schedules WHERE NOT paused`,
    [],
    "next-schedule-slot",
  );
  return rows[0]?.at ?? null;
}

export async function setSchedulePaused(
  db: Db,
  name: string,
  paused: boolean,
  now: number,
  next: number | null,
): Promise<boolean> {
  const { rowCount } = paused
    ? await db.query(`UPDATE ${db.s}.schedules SET paused = true, updated_at = $2 WHERE name = $1`, [name, now])
    : await db.query(
        `UPDATE ${db.s}.schedules SET paused = false, last_slot = greatest(last_slot, $2), next_slot = $3,
           updated_at = $2 WHERE name = $1`,
        [name, now, next],
      );
  return (rowCount ?? 0) > 0;
}

export async function removeSchedule(db: Db, name: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM ${db.s}.schedules WHERE name = $1`, [name]);
  return (rowCount ?? 0) > 0;
}

/**
 * One statement, so one transaction. `prev` reads whether the jobs go in (overlap: the previous
 * job's state). `claim` takes the schedule's row: for a slot firing only while last_slot is still
 * the one planned from (a concurrent firing waits on the row lock, then finds last_slot moved on and
 * takes nothing). The insert reads `claim`, so it happens only if the claim won. ON CONFLICT on the
 * unique (schedule, schedule_slot) pair is the last guard against a second job for a slot.
 */
export async function fireSchedule(db: Db, firing: ScheduleFiring): Promise<string[] | null> {
  const { s } = db;
  const jobs = firing.jobs;
  const last = jobs.at(-1);
  const advance = firing.advance;
  const { rows } = await db.query<{ claimed: boolean; id: string | null }>(
    `WITH prev AS (
       SELECT NOT ($7::boolean AND coalesce(pj.state = ANY($8::text[]), false)) AS fires
       FROM ${s}.schedules x LEFT JOIN ${s}.jobs pj ON pj.id = x.last_job_id WHERE x.name = $1
     ), claim AS (
       UPDATE ${s}.schedules sc SET
         last_slot = CASE WHEN $2::boolean THEN $4::bigint ELSE sc.last_slot END,
         next_slot = CASE WHEN $2::boolean THEN $5::bigint ELSE sc.next_slot END,
         last_job_id = CASE WHEN prev.fires AND $16::text IS NOT NULL THEN $16::text ELSE sc.last_job_id END,
         last_run_at = CASE WHEN prev.fires AND $16::text IS NOT NULL THEN $17::bigint ELSE sc.last_run_at END,
         updated_at = $6
       FROM prev
       WHERE sc.name = $1 AND (NOT $2::boolean OR (NOT sc.paused AND sc.last_slot = $3::bigint))
       RETURNING sc.name, prev.fires
     ), ins AS (
       INSERT INTO ${s}.jobs (id, command, priority, max_retries, timeout, run_at, created_at, updated_at,
         schedule, schedule_slot, queue, cwd, env, no_retry_exit_codes)
       SELECT t.id, t.command, t.priority, t.max_retries, t.timeout, t.run_at, $6, $6, claim.name, t.slot,
         t.queue, t.cwd, t.env, t.codes::smallint[]
       FROM claim, unnest($9::text[], $10::text[], $11::smallint[], $12::int[], $13::float8[], $14::bigint[],
         $15::bigint[], $18::text[], $19::text[], $20::jsonb[], $21::text[])
         WITH ORDINALITY AS t(id, command, priority, max_retries, timeout, run_at, slot, queue, cwd, env, codes, ord)
       WHERE claim.fires
       ORDER BY t.ord
       ON CONFLICT DO NOTHING
       RETURNING id
     )
     SELECT true AS claimed, NULL::text AS id FROM claim
     UNION ALL SELECT false, id FROM ins`,
    [
      firing.name,
      advance !== undefined,
      advance?.from ?? 0,
      advance?.through ?? 0,
      advance?.next_slot ?? null,
      firing.now,
      firing.skip_if_active,
      [...ACTIVE_STATES],
      jobs.map((j) => j.id),
      jobs.map((j) => j.command),
      jobs.map((j) => j.priority),
      jobs.map((j) => j.max_retries),
      jobs.map((j) => j.timeout),
      jobs.map((j) => j.run_at),
      jobs.map((j) => j.schedule_slot ?? null),
      last?.id ?? null,
      last?.run_at ?? null,
      jobs.map((j) => j.queue ?? DEFAULT_QUEUE),
      jobs.map((j) => j.cwd ?? null),
      jobs.map((j) => (j.env ? JSON.stringify(j.env) : null)),
      // Each job's codes as an array literal: unnest cannot take an array of arrays of varying length.
      jobs.map((j) => `{${(j.no_retry_exit_codes ?? []).join(",")}}`),
    ],
  );
  if (!rows.some((row) => row.claimed)) return null;
  return rows.filter((row) => !row.claimed).map((row) => row.id as string);
}
