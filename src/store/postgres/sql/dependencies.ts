import { cancelledDependency, unknownDependency, type JobLinks } from "../../../core/dependencies.js";
import { BLOCKED_RUN_AT } from "../../../core/job-state.js";
import type { InsertedJob, JobState, NewJob } from "../../../core/types.js";
import type { Db } from "../db.js";
import type { TxQuery } from "../transaction.js";

/**
 * Job dependencies on PostgreSQL (core/dependencies.ts). The unblock and the cascades are the
 * jobs_settle_dependents / jobs_forget_dependency triggers (migration 12); this module adds the
 * edges at enqueue and reads the graph.
 */

/**
 * The edges of newly inserted jobs, inside the enqueue's transaction. Flagging each dependency
 * locks its row until commit, and the flag's UPDATE returns the latest committed state: a
 * dependency that completes meanwhile either committed first (seen completed: the edge is done) or
 * waits for this commit, and then its trigger finds the edge. Either way the count is right.
 */
export async function addDependencies(
  query: TxQuery,
  s: string,
  jobs: readonly NewJob[],
  inserted: readonly InsertedJob[],
): Promise<void> {
  // Each dependency counts once, however often it is named.
  const waiting = jobs
    .filter((job, i) => job.after?.length && !inserted[i]?.existing)
    .map((job) => ({ id: job.id, after: [...new Set(job.after)] }));
  if (waiting.length === 0) return;
  // Sorted: two enqueues naming the same jobs lock them in the same order.
  const named = [...new Set(waiting.flatMap((job) => job.after))].sort();
  const { rows } = await query<{ id: string; state: JobState }>(
    `UPDATE ${s}.jobs SET has_dependents = true WHERE id = ANY($1::text[]) RETURNING id, state`,
    [named],
  );
  const states = new Map(rows.map((row) => [row.id, row.state]));
  const edges: { after: string[]; job: string[]; done: boolean[] } = { after: [], job: [], done: [] };
  const counts = waiting.map((job) => {
    let n = 0;
    for (const afterId of job.after) {
      const state = states.get(afterId);
      if (state === undefined) throw unknownDependency(afterId);
      if (state === "cancelled") throw cancelledDependency(afterId);
      edges.after.push(afterId);
      edges.job.push(job.id);
      edges.done.push(state === "completed");
      if (state !== "completed") n++;
    }
    return n;
  });
  await query(
    `INSERT INTO ${s}.job_deps (after_id, job_id, done) SELECT * FROM unnest($1::text[], $2::text[], $3::bool[])`,
    [edges.after, edges.job, edges.done],
  );
  await query(
    `UPDATE ${s}.jobs j SET after_ids = ARRAY(SELECT jsonb_array_elements_text(t.after)), waiting_on = t.n,
       own_run_at = CASE WHEN t.n > 0 THEN j.run_at END,
       run_at = CASE WHEN t.n > 0 THEN ${BLOCKED_RUN_AT} ELSE j.run_at END
     FROM unnest($1::text[], $2::jsonb[], $3::int[]) AS t(id, after, n) WHERE j.id = t.id`,
    [waiting.map((job) => job.id), waiting.map((job) => JSON.stringify(job.after)), counts],
  );
}

/** What a retry sets on run_at ($n: now): due now, or blocked again while dependencies are left. */
export const retryRunAt = (p: string): string =>
  `run_at = CASE WHEN waiting_on > 0 THEN ${BLOCKED_RUN_AT} ELSE ${p} END,
   own_run_at = CASE WHEN waiting_on > 0 THEN ${p} END`;

const LINK = `j.id, j.state, j.command, j.state = 'pending' AND j.waiting_on > 0 AS blocked, d.done AS satisfied`;

/** Store.jobLinks: both directions through the edge table's two indexes, with their totals. */
export async function jobLinks(db: Db, id: string, limit: number): Promise<JobLinks> {
  const { s } = db;
  const side = (near: string, far: string) =>
    `SELECT coalesce(json_agg(x), '[]'::json) AS links, (SELECT count(*) FROM ${s}.job_deps d JOIN ${s}.jobs j
       ON j.id = d.${far} WHERE d.${near} = $1)::int AS total
     FROM (SELECT ${LINK} FROM ${s}.job_deps d JOIN ${s}.jobs j ON j.id = d.${far} WHERE d.${near} = $1
           ORDER BY j.id LIMIT $2) x`;
  type Side = { links: JobLinks["dependencies"]; total: number };
  const [dependencies, dependents] = await Promise.all([
    db.query<Side>(side("job_id", "after_id"), [id, limit]),
    db.query<Side>(side("after_id", "job_id"), [id, limit]),
  ]);
  const pick = (result: { rows: Side[] }): Side => result.rows[0] ?? { links: [], total: 0 };
  return {
    dependencies: pick(dependencies).links,
    dependencies_total: pick(dependencies).total,
    dependents: pick(dependents).links,
    dependents_total: pick(dependents).total,
  };
}
