import { DEFAULT_QUEUE } from "../../../core/queues.js";
import type { NewJob } from "../../../core/types.js";
import { duplicateId } from "../../shared/refusals.js";
import type { Db } from "../db.js";

const INSERT = `INSERT INTO jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at, queue)
  VALUES (@id, @command, 'pending', @priority, @max_retries, @timeout, @run_at, @created_at, @created_at, @queue)
  ON CONFLICT (id) DO NOTHING`;

/** All jobs in one transaction: all or none. Inserted in the order of the batch, so seq keeps FIFO. */
export function insertJobs(db: Db, jobs: NewJob[]): void {
  const insert = db.sql(INSERT);
  db.write(() => {
    for (const job of jobs) {
      if (insert.run({ ...job, queue: job.queue ?? DEFAULT_QUEUE }).changes === 0) throw duplicateId(job.id);
    }
  });
}
