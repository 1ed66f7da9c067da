import { prefixEnd } from "../../../core/id-prefix.js";
import {
  changesAfter,
  cursorAfter,
  decodeCursor,
  LIST_COMMAND_CHARS,
  type ChangeCursor,
  type ListedJob,
  type ListedJobPage,
} from "../../../core/listing.js";
import type { Job, JobFilter, StateCounts } from "../../../core/types.js";
import { JOB_COLUMNS, listedColumns } from "../../shared/columns.js";
import { stateCounts } from "../../shared/metrics.js";
import type { Db, Param } from "../db.js";
import type { JobRow } from "../rows.js";
import { withBlockers } from "./blockers.js";

/**
 * JOB_COLUMNS for list views: the command cut to LIST_COMMAND_CHARS in the server (left() counts
 * characters), so a list never carries the long text, and a flag saying it was cut.
 */
const LISTED_COLUMNS = listedColumns(`left(command, ${LIST_COMMAND_CHARS})`, `length(command) > ${LIST_COMMAND_CHARS}`);

export async function getJob(db: Db, id: string): Promise<Job | null> {
  const { rows } = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM ${db.s}.jobs WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * Newest first by seq. The cursor is the seq of the last job of the previous page (keyset
 * pagination): no gaps or duplicates when jobs are added between pages, and no OFFSET scan.
 */
export async function listJobs(db: Db, filter: JobFilter): Promise<ListedJobPage> {
  const { sql, values } = listQuery(db.s, filter);
  const { rows } = await db.query<ListedJob>(sql, values);
  const jobs = await withBlockers(db, rows.slice(0, filter.limit));
  const last = jobs.at(-1);
  return { jobs, next_cursor: rows.length > filter.limit && last ? cursorAfter(last) : null };
}

/** The statement of listJobs on schema `s` (one row more than the page, to know whether another follows). */
export function listQuery(s: string, filter: JobFilter): { sql: string; values: Param[] } {
  const where: string[] = [];
  const values: Param[] = [];
  const param = (value: Param): string => {
    values.push(value);
    return `$${values.length}`;
  };
  // Blocked jobs have an index of their own (jobs_blocked), in seq order: a page reads its rows only.
  if (filter.state === "blocked") where.push(`state = 'pending' AND waiting_on > 0`);
  else if (filter.state !== undefined) where.push(`state = ${param(filter.state)}`);
  if (filter.queue !== undefined) where.push(`queue = ${param(filter.queue)}`);
  if (filter.q !== undefined && filter.q !== "") {
    // strpos, not LIKE: the query is a literal substring, % and _ included.
    const q = param(filter.q);
    where.push(`(strpos(id, ${q}) > 0 OR strpos(command, ${q}) > 0)`);
  }
  if (filter.cursor !== undefined) where.push(`seq < ${param(decodeCursor(filter.cursor))}`);
  const limit = param(filter.limit + 1);
  const sql = `SELECT ${LISTED_COLUMNS} FROM ${s}.jobs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY seq DESC LIMIT ${limit}`;
  return { sql, values };
}

export async function jobsUpdatedSince(db: Db, after: number | ChangeCursor, limit: number): Promise<ListedJob[]> {
  const cursor = changesAfter(after);
  // The plain range first lets the updated_at index narrow the scan; the row comparison pages.
  const { rows } = await db.query<ListedJob>(
    `SELECT ${LISTED_COLUMNS} FROM ${db.s}.jobs
     WHERE updated_at >= $1 AND (updated_at, seq) > ($1, $2)
     ORDER BY updated_at, seq LIMIT $3`,
    [cursor.updated_at, cursor.seq, limit],
  );
  return withBlockers(db, rows);
}

/**
 * The range walks the primary key; in a database whose collation is not code point order ("C"),
 * starts_with keeps the answer right, though an id may then fall outside the range and be missed.
 */
export async function jobIdsByPrefix(db: Db, prefix: string, limit: number): Promise<string[]> {
  const end = prefixEnd(prefix);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM ${db.s}.jobs WHERE id >= $1 AND starts_with(id, $1) ${end === null ? "" : "AND id < $3"}
     ORDER BY id LIMIT $2`,
    end === null ? [prefix, limit] : [prefix, limit, end],
  );
  return rows.map((row) => row.id);
}

export async function countJobs(db: Db): Promise<StateCounts> {
  const { rows } = await db.query<{ state: Job["state"]; n: number }>(
    `SELECT state, count(*) AS n FROM ${db.s}.jobs GROUP BY state`,
  );
  return stateCounts(rows);
}

/** The jobs of one queue per state (counted: a read of that queue's jobs). */
export async function countQueueJobs(db: Db, queue: string): Promise<StateCounts> {
  const { rows } = await db.query<{ state: Job["state"]; n: number }>(
    `SELECT state, count(*) AS n FROM ${db.s}.jobs WHERE queue = $1 GROUP BY state`,
    [queue],
  );
  return stateCounts(rows);
}

export async function nextRunAt(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ at: number | null }>(
    `SELECT min(run_at) AS at FROM ${db.s}.jobs WHERE state IN ('pending', 'failed')`,
  );
  return rows[0]?.at ?? null;
}
