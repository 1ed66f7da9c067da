import { cancelledDependency, cascadeCause, unknownDependency, type JobLinks } from "../../../core/dependencies.js";
import { BLOCKED_RUN_AT } from "../../../core/job-state.js";
import type { InsertedJob, JobState, NewJob } from "../../../core/types.js";
import type { Db } from "../db.js";

/**
 * Job dependencies on SQLite (core/dependencies.ts). Every function runs inside the caller's write
 * transaction: the write lock serialises it with any finish, so what it reads cannot change before
 * it writes.
 */

const MARK_DEPENDENCY = `UPDATE jobs SET has_dependents = 1 WHERE id = ? RETURNING state`;
const ADD_EDGE = `INSERT OR IGNORE INTO job_deps (after_id, job_id, done) VALUES (?, ?, ?)`;
const BLOCK = `UPDATE jobs SET after_ids = @after, waiting_on = @n,
    own_run_at = CASE WHEN @n > 0 THEN run_at END, run_at = CASE WHEN @n > 0 THEN ${BLOCKED_RUN_AT} ELSE run_at END
  WHERE id = @id`;

/** The edges of newly inserted jobs (skipped ones, answered by an existing job, get none). */
export function addDependencies(db: Db, jobs: readonly NewJob[], inserted: readonly InsertedJob[]): void {
  jobs.forEach((job, i) => {
    if (!job.after?.length || inserted[i]?.existing) return;
    let waiting = 0;
    const after = [...new Set(job.after)];
    for (const afterId of after) {
      const dep = db.sql(MARK_DEPENDENCY).get(afterId) as { state: JobState } | undefined;
      if (!dep) throw unknownDependency(afterId);
      if (dep.state === "cancelled") throw cancelledDependency(afterId);
      const done = dep.state === "completed" ? 1 : 0;
      db.sql(ADD_EDGE).run(afterId, job.id, done);
      if (!done) waiting++;
    }
    db.sql(BLOCK).run({ id: job.id, n: waiting, after: JSON.stringify(after) });
  });
}

export const FLAGGED = `SELECT state FROM jobs WHERE id = ? AND has_dependents = 1`;

export const SATISFY = `UPDATE job_deps SET done = 1 WHERE after_id = ? AND done = 0 RETURNING job_id`;

/** One dependency less; the last one makes the job due (never earlier than its own run_at). */
export const UNBLOCK = `UPDATE jobs SET waiting_on = waiting_on - 1, updated_at = @now,
    run_at = CASE WHEN waiting_on = 1 AND own_run_at IS NOT NULL THEN max(own_run_at, @now) ELSE run_at END,
    own_run_at = CASE WHEN waiting_on = 1 THEN NULL ELSE own_run_at END
  WHERE id = @id`;

/**
 * After a finish moved job `id`: if jobs wait for it (its flag: one primary-key probe for any other
 * job), a completion unblocks its direct dependents and a cancel cancels them. Returns how many
 * dependents became due, for the wake-up.
 */
export function settleDependents(db: Db, id: string, now: number): number {
  const row = db.sql(FLAGGED).get(id) as { state: JobState } | undefined;
  if (!row) return 0;
  if (row.state === "completed") return unblock(db, id, now);
  if (row.state === "cancelled") cancelDependents(db, id, cascadeCause(id, "cancelled"), now);
  return 0;
}

/** The direct dependents of a completed job, through the edge index: the same cost at any depth. */
function unblock(db: Db, id: string, now: number): number {
  let due = 0;
  for (const { job_id } of db.sql(SATISFY).all(id) as { job_id: string }[]) {
    db.sql(UNBLOCK).run({ id: job_id, now });
    due++;
  }
  return due;
}

/** The jobs still waiting for a job: one range of the edge index. */
export const WAITING = `SELECT job_id FROM job_deps WHERE after_id = ? AND done = 0`;

// Each dependent by its id: with `id IN (subquery)` the planner may scan every job instead.
export const CANCEL_WAITING = `UPDATE jobs SET state = 'cancelled', finished_at = @now, updated_at = @now,
    last_error = @cause
  WHERE id = @id AND state IN ('pending', 'failed') RETURNING has_dependents`;

/**
 * Cancels the jobs still waiting for `id`, then theirs, breadth first; each level names its own
 * cause. Edges only point to jobs that existed before, so there is no cycle to guard against.
 */
export function cancelDependents(db: Db, id: string, cause: string, now: number): void {
  let level: { id: string; cause: string }[] = [{ id, cause }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const parent of level) {
      for (const { job_id } of db.sql(WAITING).all(parent.id) as { job_id: string }[]) {
        const row = db.sql(CANCEL_WAITING).get({ id: job_id, cause: parent.cause, now }) as
          { has_dependents: number } | undefined;
        if (row?.has_dependents) next.push({ id: job_id, cause: cascadeCause(job_id, "cancelled") });
      }
    }
    level = next;
  }
}

/**
 * Once job `id` is deleted: its waiting dependents are cancelled, and its edges go (they no longer
 * count it, so a retried dependent does not wait for a job that is gone). Its own edges went with
 * it (the foreign key cascades).
 */
export function forgetDependency(db: Db, id: string, now: number): void {
  cancelDependents(db, id, cascadeCause(id, "deleted"), now);
  for (const { job_id } of db.sql(WAITING).all(id) as { job_id: string }[]) {
    db.sql(`UPDATE jobs SET waiting_on = waiting_on - 1 WHERE id = ? AND waiting_on > 0`).run(job_id);
  }
  db.sql(`DELETE FROM job_deps WHERE after_id = ?`).run(id);
}

const LINK = `j.id, j.state, j.command, j.state = 'pending' AND j.waiting_on > 0 AS blocked, d.done AS satisfied`;

type LinkRow = { id: string; state: JobState; command: string; blocked: 0 | 1; satisfied: 0 | 1 };

/** Store.jobLinks: both directions through the edge table's two indexes. */
export function jobLinks(db: Db, id: string, limit: number): JobLinks {
  const dependencies = db
    .sql(`SELECT ${LINK} FROM job_deps d JOIN jobs j ON j.id = d.after_id WHERE d.job_id = ? ORDER BY j.id LIMIT ?`)
    .all(id, limit) as LinkRow[];
  const dependents = db
    .sql(`SELECT ${LINK} FROM job_deps d JOIN jobs j ON j.id = d.job_id WHERE d.after_id = ? ORDER BY j.id LIMIT ?`)
    .all(id, limit) as LinkRow[];
  const count = (column: string) =>
    (
      db
        .sql(
          `SELECT count(*) AS n FROM job_deps d JOIN jobs j ON j.id = d.${column === "job_id" ? "after_id" : "job_id"} WHERE d.${column} = ?`,
        )
        .get(id) as { n: number }
    ).n;
  const link = (row: LinkRow) => ({ ...row, blocked: row.blocked === 1, satisfied: row.satisfied === 1 });
  return {
    dependencies: dependencies.map(link),
    dependencies_total: dependencies.length < limit ? dependencies.length : count("job_id"),
    dependents: dependents.map(link),
    dependents_total: dependents.length < limit ? dependents.length : count("after_id"),
  };
}
