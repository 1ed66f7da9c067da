import { DEFAULT_QUEUE } from "../../../core/queues.js";
import type { NewJob } from "../../../core/types.js";
import { duplicateId } from "../../shared/refusals.js";
import type { Db } from "../db.js";

const INSERT = `INSERT INTO jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at,
    queue, cwd, env)
  VALUES (@id, @command, 'pending', @priority, @max_retries, @timeout, @run_at, @created_at, @created_at,
    @queue, @cwd, @env)
  ON CONFLICT (id) DO NOTHING`;

/** All jobs in one transaction: all or none. Inserted in the order of the batch, so seq keeps FIFO. */
export function insertJobs(db: Db, jobs: NewJob[]): void {
  const insert = db.sql(INSERT);
  db.write(() => {
    for (const job of jobs) {
      const row = {
        ...job,
        queue: job.queue ?? DEFAULT_QUEUE,
        cwd: job.cwd ?? null,
        env: job.env ? JSON.stringify(job.env) : null,
      };
      if (insert.run(row).changes === 0) throw duplicateId(job.id);
    }
  });
}
