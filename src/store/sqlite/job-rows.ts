import type { Job } from "../../core/types.js";

/** The columns SQLite keeps as JSON text (it has no object or array type). */
type JsonFields = "env" | "no_retry_exit_codes" | "after";

/**
 * A job as SQLite returns it: `env` is JSON text, the exit-code list and the `after` ids JSON
 * arrays.
 */
export type JobRow = Omit<Job, JsonFields> & { env: string | null; no_retry_exit_codes: string; after: string };

/**
 * The stored row as a Job, in place: copying every row (a spread) would cost the claim, which
 * returns rows by the thousand a second. Every JSON column was written from validated values.
 */
export function toJob<Row extends JobRow>(row: Row): Omit<Row, JsonFields> & Pick<Job, JsonFields> {
  const job = row as Omit<Row, JsonFields> & {
    env: string | Job["env"];
    no_retry_exit_codes: string | number[];
    after: string | string[];
  };
  if (typeof job.env === "string") job.env = JSON.parse(job.env) as Record<string, string>;
  const codes = job.no_retry_exit_codes;
  if (typeof codes === "string" || codes == null) {
    job.no_retry_exit_codes = codes === "[]" || !codes ? [] : (JSON.parse(codes) as number[]);
  }
  const after = job.after;
  if (typeof after === "string" || after == null)
    job.after = after === "[]" || !after ? [] : (JSON.parse(after) as string[]);
  return job as Omit<Row, JsonFields> & Pick<Job, JsonFields>;
}
