import type { Attempt, AttemptOutput, OutputStream } from "../../../core/types.js";
import { ATTEMPT_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { HELD } from "./finish-runs.js";

/** Output lives apart from attempts (table outputs): a streaming snapshot rewrites one stream's row only. */
const SAVE = `INSERT INTO outputs (job_id, number, stream, data, total_bytes, truncated) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (job_id, number, stream) DO UPDATE SET
    data = excluded.data, total_bytes = excluded.total_bytes, truncated = excluded.truncated`;

/** Column names per stream: chosen from this fixed map, never from the caller's string. */
const COUNT: Record<OutputStream, string> = {
  stdout: `UPDATE attempts SET stdout_bytes = ? WHERE job_id = ? AND number = ?`,
  stderr: `UPDATE attempts SET stderr_bytes = ? WHERE job_id = ? AND number = ?`,
};

/** A live snapshot of a held run's output (fencing: nothing is written once the run was recovered). */
export function writeOutput(
  db: Db,
  jobId: string,
  attempt: number,
  workerId: string,
  stream: OutputStream,
  output: AttemptOutput,
): boolean {
  return db.write(() => {
    if (!db.sql(HELD).get({ job_id: jobId, attempt, worker_id: workerId })) return false;
    db.sql(SAVE).run(jobId, attempt, stream, output.data, output.total_bytes, output.truncated ? 1 : 0);
    db.sql(COUNT[stream]).run(output.total_bytes, jobId, attempt);
    return true;
  });
}

export function getOutput(
  db: Db,
  jobId: string,
  attempt: number,
  stream: OutputStream,
  from = 0,
): AttemptOutput | null {
  // Only the end written after `from` is read (see Store.getOutput).
  const row = db
    .sql(
      `SELECT substr(o.data, CASE WHEN @from <= 0 THEN 1
                                  ELSE max(1, length(o.data) - max(o.total_bytes - @from, 0) + 1) END) AS data,
              coalesce(o.total_bytes, iif(@stream = 'stdout', a.stdout_bytes, a.stderr_bytes)) AS total_bytes,
              o.truncated, a.output_pruned FROM attempts a
       LEFT JOIN outputs o ON o.job_id = a.job_id AND o.number = a.number AND o.stream = @stream
       WHERE a.job_id = @jobId AND a.number = @attempt`,
    )
    .get({ from, stream, jobId, attempt }) as
    { data: Buffer | null; total_bytes: number | null; truncated: number | null; output_pruned: number } | undefined;
  if (!row) return null;
  const output = {
    data: row.data ?? Buffer.alloc(0),
    total_bytes: row.total_bytes ?? 0,
    truncated: row.truncated === 1,
  };
  return row.output_pruned === 1 ? { ...output, pruned: true } : output;
}

export function listAttempts(db: Db, jobId: string): Attempt[] {
  return db.sql(`SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE job_id = ? ORDER BY number`).all(jobId) as Attempt[];
}
