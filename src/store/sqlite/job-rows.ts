import type { Job } from "../../core/types.js";

/** A job row as SQLite returns it: the exit-code list is stored as a JSON array. */
export type JobRow = Omit<Job, "no_retry_exit_codes"> & { no_retry_exit_codes: string };

/** The row as the core's Job (and whatever else the row carries). */
export function toJob<T extends JobRow>(row: T): Omit<T, "no_retry_exit_codes"> & Pick<Job, "no_retry_exit_codes"> {
  const codes = row.no_retry_exit_codes;
  return { ...row, no_retry_exit_codes: codes === "[]" || !codes ? [] : (JSON.parse(codes) as number[]) };
}
