import { invalid } from "../../../core/errors.js";
import { JOB_STATES, type Job, type JobFilter, type JobPage, type StateCounts } from "../../../core/types.js";
import type { Db, Param } from "../db.js";
import { JOB_COLUMNS, type JobRow } from "../rows.js";

export async function getJob(db: Db, id: string): Promise<Job | null> {
  const { rows } = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM ${db.s}.jobs WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * Newest first by seq. The cursor is the seq of the last job of the previous page (keyset
 * pagination): no gaps or duplicates when jobs are added between pages, and no OFFSET scan.
 */
export async function listJobs(db: Db, filter: JobFilter): Promise<JobPage> {
  const where: string[] = [];
  const values: Param[] = [];
  const param = (value: Param): string => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.state !== undefined) where.push(`state = ${param(filter.state)}`);
  if (filter.q !== undefined && filter.q !== "") {
    // strpos, not LIKE: the query is a literal substring, % and _ included.
    const q = param(filter.q);
    where.push(`(strpos(id, ${q}) > 0 OR strpos(command, ${q}) > 0)`);
  }
  if (filter.cursor !== undefined) where.push(`seq < ${param(decodeCursor(filter.cursor))}`);
  const limit = param(filter.limit + 1);
  const { rows } = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM ${db.s}.jobs
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY seq DESC LIMIT ${limit}`,
    values,
  );
  const jobs = rows.slice(0, filter.limit);
  const last = jobs.at(-1);
  return { jobs, next_cursor: rows.length > filter.limit && last ? String(last.seq) : null };
}

function decodeCursor(cursor: string): number {
  const seq = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(seq)) {
    throw invalid(`cursor: "${cursor}" is not a cursor returned by a previous page`, { cursor: "invalid" });
  }
  return seq;
}

export async function jobsUpdatedSince(db: Db, since: number, limit: number): Promise<Job[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM ${db.s}.jobs WHERE updated_at > $1 ORDER BY updated_at, seq LIMIT $2`,
    [since, limit],
  );
  return rows;
}

export async function countJobs(db: Db): Promise<StateCounts> {
  const { rows } = await db.query<{ state: Job["state"]; n: number }>(
    `SELECT state, count(*) AS n FROM ${db.s}.jobs GROUP BY state`,
  );
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
  for (const row of rows) counts[row.state] = row.n;
  return counts;
}

export async function nextRunAt(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ at: number | null }>(
    `SELECT min(run_at) AS at FROM ${db.s}.jobs WHERE state IN ('pending', 'failed')`,
  );
  return rows[0]?.at ?? null;
}
