import type { Job } from "../../core/types.js";

/**
 * A job as SQLite returns it: `env` is JSON text (SQLite has no object type) and the exit-code list
 * a JSON array.
 */
export type JobRow = Omit<Job, "env" | "no_retry_exit_codes"> & { env: string | null; no_retry_exit_codes: string };

/**
 * The stored row as a Job, in place: copying every row (a spread) would cost the claim, which
 * returns rows by the thousand a second. Both JSON columns were written from validated values.
 */
export function toJob<Row extends JobRow>(
  row: Row,
): Omit<Row, "env" | "no_retry_exit_codes"> & Pick<Job, "env" | "no_retry_exit_codes"> {
  const job = row as Omit<Row, "env" | "no_retry_exit_codes"> & {
    env: string | Job["env"];
    no_retry_exit_codes: string | number[];
  };
  if (typeof job.env === "string") job.env = JSON.parse(job.env) as Record<string, string>;
  const codes = job.no_retry_exit_codes;
  if (typeof codes === "string" || codes == null) {
    job.no_retry_exit_codes = codes === "[]" || !codes ? [] : (JSON.parse(codes) as number[]);
  }
  return job as Omit<Row, "env" | "no_retry_exit_codes"> & Pick<Job, "env" | "no_retry_exit_codes">;
}
