import type { JobLinks } from "./dependencies.js";
import type { ChangeCursor, ListedJob, ListedJobPage } from "./listing.js";
import type {
  Attempt,
  AttemptOutput,
  InsertedJob,
  Job,
  JobFilter,
  NewJob,
  OutputStream,
  StateCounts,
} from "./types.js";

/** The Store's jobs: inserting them, and reading them with their attempts and output. */
export interface JobStore {
  /**
   * Inserts all jobs or none, in the order given. A duplicate id (existing or within the batch)
   * throws a "conflict" QueueError naming the id. A job with a `key` held by an active job (pending,
   * failed or processing; core/unique-key.ts) is inserted with ON CONFLICT on the key's partial
   * unique index, never by reading first, and follows its `on_conflict`: skip answers the active
   * job's id (existing); replace updates that job if it is pending or failed (existing), or, if it
   * is processing, takes the key and its retries from it and inserts the new job; error throws a
   * "conflict" QueueError naming the key (and nothing of the batch is written). Keys within one
   * batch are distinct (the core checks). Returns, per job in order, the id it answers with.
   *
   * Dependencies (`after`, core/dependencies.ts): every id must name an existing job or an earlier
   * job of the batch, else not_found (unknownDependency) and nothing is written; a cancelled one is
   * refused (cancelledDependency). A completed one does not count. A job with dependencies left is
   * stored pending with run_at = BLOCKED_RUN_AT (its own in own_run_at) and waiting_on = their
   * number, so the claim never sees it, race-free against a dependency finishing meanwhile.
   */
  insertJobs(jobs: NewJob[]): Promise<InsertedJob[]>;
  getJob(id: string): Promise<Job | null>;
  /**
   * The job's dependencies (jobs of its `after` that still exist) and dependents, at most `limit`
   * of each (by id), with their totals. Unknown job: empty lists.
   */
  jobLinks(id: string, limit: number): Promise<JobLinks>;
  /** Newest first (seq descending), filtered by state and by a substring of id or command (the
   * whole command is searched). Commands are cut to LIST_COMMAND_CHARS in SQL and marked. */
  listJobs(filter: JobFilter): Promise<ListedJobPage>;
  /**
   * Changed jobs, oldest change first by (updated_at, seq), at most `limit` (for live views), with
   * commands cut as in listJobs. `after` a time: updated_at > after; `after` a cursor: strictly
   * after that (updated_at, seq), so jobs sharing a timestamp are never skipped between pages.
   */
  jobsUpdatedSince(after: number | ChangeCursor, limit: number): Promise<ListedJob[]>;
  countJobs(): Promise<StateCounts>;
  /** Ids that start with `prefix` (case and every character literal), ascending, at most `limit`:
   * a range scan of the id index (core/id-prefix.ts), for shell completion. */
  jobIdsByPrefix(prefix: string, limit: number): Promise<string[]>;
  /** Earliest run_at among pending and failed jobs, or null when there are none. */
  nextRunAt(): Promise<number | null>;

  // ---- attempts and output

  /** Every attempt of a job, number ascending. Unknown job: []. */
  listAttempts(jobId: string): Promise<Attempt[]>;
  /**
   * Stored output of one attempt, or null if there is no such attempt. With `from` (a count of
   * bytes the command wrote, e.g. those already shown), `data` holds only the end of the stored
   * bytes that were written after them: the last min(total_bytes - from, stored length) bytes
   * (from 0: all of them). As long as nothing was cut that is exactly the new bytes; once the
   * middle was cut, fewer than total_bytes - from means the rest is not kept.
   */
  getOutput(jobId: string, attempt: number, stream: OutputStream, from?: number): Promise<AttemptOutput | null>;
}
