import type { Job } from "../../core/types.js";

/** A job as SQLite returns it: `env` is JSON text (SQLite has no object type). */
export type JobRow = Omit<Job, "env"> & { env: string | null };

/**
 * The stored row as a Job, in place: copying every row (a spread) would cost the claim, which
 * returns rows by the thousand a second. `env` was written by insertJobs from a validated object.
 */
export function toJob<Row extends JobRow>(row: Row): Omit<Row, "env"> & Pick<Job, "env"> {
  const job = row as Omit<Row, "env"> & { env: string | Job["env"] };
  if (typeof job.env === "string") job.env = JSON.parse(job.env) as Record<string, string>;
  return job as Omit<Row, "env"> & Pick<Job, "env">;
}
