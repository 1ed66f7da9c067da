import { prefixEnd } from "../../../core/id-prefix.js";
import {
  changesAfter,
  cursorAfter,
  decodeCursor,
  type ChangeCursor,
  type ListedJob,
  type ListedJobPage,
} from "../../../core/listing.js";
import { BLOCKED_RUN_AT } from "../../../core/job-state.js";
import type { Job, JobFilter, StateCounts } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import { stateCounts } from "../../shared/metrics.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";
import { LISTED_COLUMNS, toListedJob, type ListedRow } from "../listed-jobs.js";
import { withBlockers } from "./blockers.js";
import { READY } from "./claim-jobs.js";

export function getJob(db: Db, id: string): Job | null {
  const row = db.sql(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
  return row ? toJob(row) : null;
}

/**
 * Newest first by seq. The cursor is the seq of the last job of the previous page (keyset
 * pagination): no gaps or duplicates when jobs are added between pages, and no OFFSET scan.
 */
export function listJobs(db: Db, filter: JobFilter): ListedJobPage {
  const { sql, params } = listQuery(filter);
  const rows = db.sql(sql).all(params) as ListedRow[];
  const jobs = withBlockers(db, rows.slice(0, filter.limit).map(toListedJob));
  const last = jobs.at(-1);
  return { jobs, next_cursor: rows.length > filter.limit && last ? cursorAfter(last) : null };
}

/** The statement of listJobs (one row more than the page, to know whether another follows). */
export function listQuery(filter: JobFilter): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit + 1 };
  let from = "jobs";
  if (filter.state === "blocked") {
    // Blocked jobs all wait at BLOCKED_RUN_AT: one key of jobs_due, whose entries are in seq (rowid)
    // order, so a page reads its own rows only, however many other jobs are pending.
    from = "jobs INDEXED BY jobs_due";
    where.push(`${READY} AND run_at = ${BLOCKED_RUN_AT} AND state = 'pending' AND waiting_on > 0`);
  } else if (filter.state) {
    where.push("state = @state");
    params.state = filter.state;
  }
  if (filter.queue !== undefined) {
    where.push("queue = @queue");
    params.queue = filter.queue;
  }
  if (filter.q) {
    where.push(`(id LIKE @q ESCAPE '\\' OR command LIKE @q ESCAPE '\\')`);
    params.q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (filter.cursor !== undefined) {
    where.push("seq < @cursor");
    params.cursor = decodeCursor(filter.cursor);
  }
  const sql = `SELECT ${LISTED_COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY seq DESC LIMIT @limit`;
  return { sql, params };
}

export function jobsUpdatedSince(db: Db, after: number | ChangeCursor, limit: number): ListedJob[] {
  // The plain range lets the updated_at index (which ends in seq, the rowid) narrow the scan; the
  // row comparison pages.
  const cursor = changesAfter(after);
  const rows = db
    .sql(
      `SELECT ${LISTED_COLUMNS} FROM jobs WHERE updated_at >= @at AND (updated_at, seq) > (@at, @seq)
       ORDER BY updated_at, seq LIMIT @limit`,
    )
    .all({ at: cursor.updated_at, seq: cursor.seq, limit }) as ListedRow[];
  return withBlockers(db, rows.map(toListedJob));
}

export function countJobs(db: Db): StateCounts {
  // Kept by triggers (migration 3): five rows, whatever the number of jobs.
  return stateCounts(
    db.sql(`SELECT state, sum(n) AS n FROM queue_counts GROUP BY state`).all() as { state: string; n: number }[],
  );
}

/** The jobs of one queue per state (its rows of queue_counts; none for a queue no job names). */
export function countQueueJobs(db: Db, queue: string): StateCounts {
  return stateCounts(
    db.sql(`SELECT state, n FROM queue_counts WHERE queue = ?`).all(queue) as { state: string; n: number }[],
  );
}

export function nextRunAt(db: Db): number | null {
  // INDEXED BY: left to itself the planner took jobs_state and read run_at from every ready row,
  // which lies past the command: a walk over each command's overflow pages (1,000 jobs of 60 KB
  // took 0.2-2 s, and /api/status waited for it). The partial index answers min() in one step.
  const row = db.sql(`SELECT min(run_at) AS at FROM jobs INDEXED BY jobs_due WHERE ${READY}`).get() as {
    at: number | null;
  };
  return row.at;
}

/** Ids starting with `prefix`, in order (shell completion). BINARY comparison is code point order:
 * the range is exact and walks the id index. */
export function jobIdsByPrefix(db: Db, prefix: string, limit: number): string[] {
  const end = prefixEnd(prefix);
  const rows = db
    .sql(`SELECT id FROM jobs WHERE id >= @prefix ${end === null ? "" : "AND id < @end"} ORDER BY id LIMIT @limit`)
    .all({ prefix, limit, ...(end === null ? {} : { end }) }) as { id: string }[];
  return rows.map((row) => row.id);
}
