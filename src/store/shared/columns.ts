/**
 * Column lists both engines select, whose names (the same in both schemas) are the fields of the
 * core types, so a row is the object. The run counter (last_attempt) stays out of Job.
 */
export const JOB_COLUMNS = `id, seq, command, state, priority, attempts, max_retries, timeout, run_at, created_at,
  updated_at, started_at, finished_at, exit_code, duration_ms, last_error, worker_id, lease_until, queue,
  cancel_signal, cancel_grace_ms, cwd, env, schedule, key,
  no_retry_exit_codes, after_ids AS after, waiting_on, own_run_at`;

/** JOB_COLUMNS qualified by a table alias, for statements over several tables. */
export const jobColumns = (alias: string): string =>
  JOB_COLUMNS.split(",")
    .map((c) => `${alias}.${c.trim()}`)
    .join(", ");

/**
 * JOB_COLUMNS for list views: `command` is `cut` (the first LIST_COMMAND_CHARS characters, in the
 * engine's SQL) and `cutFlag` says whether that lost anything.
 */
export const listedColumns = (cut: string, cutFlag: string): string =>
  `${JOB_COLUMNS.replace(/\bcommand\b/, `${cut} AS command`)}, ${cutFlag} AS command_truncated`;

export const ATTEMPT_COLUMNS = `job_id, number, worker_id, outcome, started_at, finished_at, duration_ms, exit_code,
  signal, error, stdout_bytes, stderr_bytes`;

/** The predicate of PostgreSQL's jobs_finished index: a query that repeats it may use the index. */
export const FINISHED_STATES_SQL = `state IN ('completed', 'dead', 'cancelled')`;
