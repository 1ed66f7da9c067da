import type { Attempt, AttemptOutput, OutputStream } from "../../../core/types.js";
import type { Db } from "../db.js";
import { ATTEMPT_COLUMNS } from "../../shared/columns.js";
import type { AttemptRow } from "../rows.js";

/** Column names per stream: chosen from this fixed map, never from the caller's string. */
const COLUMNS: Record<OutputStream, { data: string; bytes: string; truncated: string }> = {
  stdout: { data: "stdout", bytes: "stdout_bytes", truncated: "stdout_truncated" },
  stderr: { data: "stderr", bytes: "stderr_bytes", truncated: "stderr_truncated" },
};

/**
 * A live snapshot of a held run's output (fencing: nothing is written once the run was recovered).
 * `outcome = 'running'` is re-checked on the attempt row itself after any concurrent reap commits,
 * so a snapshot can never land on an attempt recorded "lost". Returns whether it was written.
 */
export async function writeOutput(
  db: Db,
  jobId: string,
  attempt: number,
  workerId: string,
  stream: OutputStream,
  output: AttemptOutput,
): Promise<boolean> {
  const c = COLUMNS[stream];
  const { rowCount } = await db.query(
    `UPDATE ${db.s}.attempts a SET ${c.data} = $3, ${c.bytes} = $4, ${c.truncated} = $5
     WHERE a.job_id = $1 AND a.number = $2 AND a.outcome = 'running'
       AND EXISTS (SELECT 1 FROM ${db.s}.jobs j
                   WHERE j.id = $1 AND j.state = 'processing' AND j.worker_id = $6 AND j.last_attempt = $2)`,
    [jobId, attempt, output.data, output.total_bytes, output.truncated, workerId],
  );
  return (rowCount ?? 0) > 0;
}

export async function getOutput(
  db: Db,
  jobId: string,
  attempt: number,
  stream: OutputStream,
  from = 0,
): Promise<AttemptOutput | null> {
  const c = COLUMNS[stream];
  // Only the end written after `from` leaves the server (see Store.getOutput). The count is
  // bigint; capped at the stored length it fits the int that substring takes.
  const keep = `least(greatest(${c.bytes} - $3::bigint, 0), octet_length(${c.data}))::int`;
  const { rows } = await db.query<AttemptOutput & { output_pruned: boolean }>(
    `SELECT CASE WHEN $3 <= 0 THEN ${c.data} ELSE substring(${c.data} FROM octet_length(${c.data}) - ${keep} + 1) END AS data,
            ${c.bytes} AS total_bytes, ${c.truncated} AS truncated, output_pruned
     FROM ${db.s}.attempts WHERE job_id = $1 AND number = $2`,
    [jobId, attempt, from],
  );
  const row = rows[0];
  if (!row) return null;
  const { output_pruned, ...output } = row;
  return output_pruned ? { ...output, pruned: true } : output;
}

export async function listAttempts(db: Db, jobId: string): Promise<Attempt[]> {
  const { rows } = await db.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM ${db.s}.attempts WHERE job_id = $1 ORDER BY number`,
    [jobId],
  );
  return rows;
}
