import { leaseExcused } from "../../../core/lease.js";
import { lossCause, rescue } from "../../../core/rescue.js";
import type { ReapOptions } from "../../../core/store.js";
import type { Job } from "../../../core/types.js";
import type { Db } from "../db.js";
import { settleDependents } from "./dependencies.js";
import { insertOne } from "./insert-jobs.js";
import { RunTally } from "./run-tally.js";

type LostRow = Pick<
  Job,
  "id" | "attempts" | "max_retries" | "worker_id" | "command" | "key" | "cancel_signal" | "queue" | "lease_until"
> & {
  last_attempt: number;
};

/** Runs lost by their workers: leases expired (if judged) or held by a worker known dead (@dead, JSON). */
const FIND = `SELECT id, last_attempt, attempts, max_retries, worker_id, command, key, cancel_signal, queue,
    lease_until FROM jobs
  WHERE state = 'processing'
    AND ((@leases AND lease_until < @now) OR worker_id IN (SELECT value FROM json_each(@dead)))`;

const CLOSE_ATTEMPT = `UPDATE attempts SET outcome = 'lost', finished_at = @now,
    duration_ms = max(@now - started_at, 0), error = @error
  WHERE job_id = @id AND number = @attempt AND outcome = 'running'`;

const MOVE_JOB = `UPDATE jobs SET state = @state, run_at = coalesce(@run_at, run_at), updated_at = @now,
    finished_at = @now, last_error = @error, worker_id = NULL, lease_until = NULL,
    cancel_signal = NULL, cancel_grace_ms = NULL
  WHERE id = @id AND state = 'processing' AND last_attempt = @attempt`;

const FORGET_WORKERS = `DELETE FROM workers WHERE heartbeat_at < @stale OR id IN (SELECT value FROM json_each(@dead))`;

/**
 * Recovers the jobs of lost workers and forgets those workers, in one write transaction: finds the
 * lost runs, and applies what core/rescue.ts decides for each (its attempt closed as lost).
 */
export function reap(db: Db, options: ReapOptions): string[] {
  const { now, deadWorkerIds, staleBefore, judgeLeases = true, deadHook, leaseMs } = options;
  const dead = JSON.stringify(deadWorkerIds);
  return db.write(() => {
    const hold = leaseMs === undefined ? null : db.lastHold();
    const excused = (job: LostRow) =>
      leaseMs !== undefined &&
      !deadWorkerIds.includes(job.worker_id ?? "") &&
      leaseExcused(job.lease_until ?? now, hold, now, leaseMs);
    const found = db.sql(FIND).all({ now, dead, leases: judgeLeases ? 1 : 0 }) as LostRow[];
    const lost = found.filter((job) => !excused(job));
    const tally = new RunTally();
    for (const job of lost) {
      const { next, error } = rescue(job, lossCause(job.worker_id, deadWorkerIds), now);
      const run = { now, error, id: job.id, attempt: job.last_attempt };
      tally.add("lost", job.queue, db.sql(CLOSE_ATTEMPT).run(run).changes);
      const moved = db
        .sql(MOVE_JOB)
        .run({ ...run, state: next.state, run_at: next.state === "failed" ? next.run_at : null }).changes;
      if (next.state === "dead") tally.add("dead", job.queue, moved);
      const hook = next.state === "dead" ? deadHook?.({ ...job, exit_code: null, error }) : null;
      if (hook) insertOne(db, hook);
      if (next.state === "cancelled") settleDependents(db, job.id, now);
    }
    tally.save(db);
    db.sql(FORGET_WORKERS).run({ stale: staleBefore, dead });
    return lost.map((job) => job.id).sort();
  });
}
