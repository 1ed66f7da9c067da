import { ROLLUP_SIZES } from "../../../core/metrics.js";
import type { PrunableState } from "../../../core/retention.js";
import { FAILED_SQL } from "../../shared/metrics.js";
import { forgetDependency } from "./dependencies.js";
import type { Db } from "../db.js";

/**
 * The predicate of the partial index jobs_finished, as its migration writes it (comparisons: an IN
 * list of three made every finish build a temporary B-tree). A query repeats it to use the index.
 */
const FINISHED = `(state = 'completed' OR state = 'dead' OR state = 'cancelled')`;

/** The oldest finished jobs of a state, by the range index jobs_finished. */
const VICTIMS = `SELECT id FROM jobs INDEXED BY jobs_finished
  WHERE ${FINISHED} AND state = @state AND finished_at < @before ORDER BY finished_at LIMIT @limit`;

/** The finished runs of the doomed jobs (a JSON array of ids) summed per minute and per hour, per queue. */
const ROLL_UP = `INSERT INTO run_rollups (size, start, queue, completed, failed, duration_sum)
  SELECT z.value, a.finished_at - a.finished_at % z.value, j.queue,
         sum(a.outcome = 'completed'), sum(a.outcome IN ${FAILED_SQL}),
         coalesce(sum(iif(a.outcome = 'completed', a.duration_ms, 0)), 0)
  FROM json_each(@ids) v JOIN jobs j ON j.id = v.value JOIN attempts a ON a.job_id = v.value, json_each(@sizes) z
  WHERE a.finished_at IS NOT NULL AND (a.outcome = 'completed' OR a.outcome IN ${FAILED_SQL})
  GROUP BY 1, 2, 3
  ON CONFLICT (size, start, queue) DO UPDATE SET completed = completed + excluded.completed,
    failed = failed + excluded.failed, duration_sum = duration_sum + excluded.duration_sum`;

/** The chosen jobs with their runs and output (chosen in the same transaction: nothing moved since). */
const AWAITED = `SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(@ids)) AND has_dependents = 1`;

const DELETES = [
  `DELETE FROM outputs WHERE job_id IN (SELECT value FROM json_each(@ids))`,
  `DELETE FROM attempts WHERE job_id IN (SELECT value FROM json_each(@ids))`,
  `DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))`,
];

export function pruneJobs(db: Db, state: PrunableState, before: number, limit: number): number {
  return db.write(() => {
    const rows = db.sql(VICTIMS).all({ state, before, limit }) as { id: string }[];
    if (rows.length === 0) return 0;
    const ids = JSON.stringify(rows.map((r) => r.id));
    db.sql(ROLL_UP).run({ ids, sizes: JSON.stringify(ROLLUP_SIZES) });
    // A pruned job counts as deleted for the jobs still waiting for it (a dead one may have some).
    const awaited = db.sql(AWAITED).all({ ids }) as { id: string }[];
    for (const statement of DELETES) db.sql(statement).run({ ids });
    for (const { id } of awaited) forgetDependency(db, id, Date.now());
    return rows.length;
  });
}

/** Finished runs after the mark (the whole key is in attempts_finished: no sort). */
const AFTER_MARK = `FROM attempts INDEXED BY attempts_finished
  WHERE finished_at >= @at AND finished_at < @before AND (finished_at, job_id, number) > (@at, @job_id, @number)`;

interface Mark {
  at: number;
  job_id: string;
  number: number;
}

/** Where output pruning stopped (before anything: the first finished run). */
function outputMark(db: Db): Mark {
  const row = db.sql(`SELECT finished_at AS at, job_id, number FROM prune_marks WHERE name = 'output'`).get() as
    Mark | undefined;
  return row ?? { at: 0, job_id: "", number: 0 };
}

export function pruneOutput(db: Db, before: number, limit: number): { walked: number; dropped: number } {
  return db.write(() => {
    const rows = db
      .sql(`SELECT finished_at, job_id, number ${AFTER_MARK} ORDER BY finished_at, job_id, number LIMIT @limit`)
      .all({ ...outputMark(db), before, limit }) as { finished_at: number; job_id: string; number: number }[];
    const last = rows.at(-1);
    if (!last) return { walked: 0, dropped: 0 };
    const drop = db.sql(`DELETE FROM outputs WHERE job_id = ? AND number = ?`);
    const mark = db.sql(`UPDATE attempts SET output_pruned = 1 WHERE job_id = ? AND number = ?`);
    let dropped = 0;
    for (const row of rows) {
      if (drop.run(row.job_id, row.number).changes === 0) continue;
      mark.run(row.job_id, row.number);
      dropped++;
    }
    db.sql(
      `INSERT INTO prune_marks (name, finished_at, job_id, number) VALUES ('output', @finished_at, @job_id, @number)
       ON CONFLICT (name) DO UPDATE SET finished_at = excluded.finished_at, job_id = excluded.job_id, number = excluded.number`,
    ).run(last);
    return { walked: rows.length, dropped };
  });
}

export function countPrunable(db: Db, what: PrunableState | "output", before: number): number {
  const sql =
    what === "output"
      ? `SELECT count(*) AS n ${AFTER_MARK}
           AND EXISTS (SELECT 1 FROM outputs o WHERE o.job_id = attempts.job_id AND o.number = attempts.number)`
      : `SELECT count(*) AS n FROM jobs INDEXED BY jobs_finished WHERE ${FINISHED} AND state = @state AND finished_at < @before`;
  return (db.sql(sql).get(what === "output" ? { ...outputMark(db), before } : { state: what, before }) as { n: number })
    .n;
}

/** Pages freed per call at most: a short pause for other writers, however much was pruned. */
const VACUUM_PAGES = 4096;

/**
 * Hands free pages back to the file system, VACUUM_PAGES at most; true when free pages are left
 * for another call. Incremental vacuum works only on a file made with auto_vacuum = INCREMENTAL
 * (new stores are: see Db); `full` rewrites the file once with VACUUM, which turns it on for an
 * older store too. In WAL mode the file shrinks at the checkpoint, so there is one only when
 * something was freed (it writes and syncs every page changed since the last one).
 */
export function reclaimSpace(db: Db, full: boolean): boolean {
  if (full) {
    db.raw.pragma("auto_vacuum = INCREMENTAL");
    db.raw.exec("VACUUM");
    db.raw.pragma("wal_checkpoint(PASSIVE)");
    return false;
  }
  // 2: INCREMENTAL. An older file keeps its free pages for reuse until `prune --vacuum`.
  if (db.raw.pragma("auto_vacuum", { simple: true }) !== 2) return false;
  if (db.raw.pragma("freelist_count", { simple: true }) === 0) return false;
  db.raw.pragma(`incremental_vacuum(${VACUUM_PAGES})`);
  db.raw.pragma("wal_checkpoint(PASSIVE)");
  return (db.raw.pragma("freelist_count", { simple: true }) as number) > 0;
}
