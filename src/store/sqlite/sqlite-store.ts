import Database from "better-sqlite3";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { conflict, notFound, QueueError } from "../../core/errors.js";
import { prefixEnd } from "../../core/id-prefix.js";
import { cursorAfter, type ChangeCursor, type ListedJob, type ListedJobPage } from "../../core/listing.js";
import {
  JOB_STATES,
  type Attempt,
  type AttemptOutput,
  type ClaimedJob,
  type Job,
  type JobFilter,
  type Metrics,
  type NewJob,
  type OutputStream,
  type StateCounts,
  type ThroughputPoint,
  type WorkerInfo,
} from "../../core/types.js";
import type {
  ClaimRequest,
  FinishAndClaimResult,
  FinishedRun,
  Heartbeat,
  HeartbeatAnswer,
  NewWorker,
  ReapOptions,
  Store,
} from "../../core/store.js";
import { DiskSpace } from "./disk-space.js";
import { FileWake } from "./file-wake.js";
import { LISTED_COLUMNS, toListedJob, type ListedRow } from "./listed-jobs.js";
import { migrate } from "./migrations.js";
import { StoreFiles } from "./store-files.js";

type JobRow = Job & { runs: number };
type Stmt = Database.Statement<unknown[], unknown>;

const READY = "state IN ('pending', 'failed')";

/**
 * The claim, one statement: pick up to @limit ready jobs in pick-up order and take them. INDEXED BY
 * makes SQLite fail loudly rather than fall back to a scan + sort if the index ever stops matching
 * (test/store/sqlite-plan.test.ts checks the plan). A worker asked to stop takes nothing more.
 * RETURNING gives the rows in no particular order; the caller sorts them.
 */
export const CLAIM_SQL = `UPDATE jobs SET state = 'processing', worker_id = @worker, attempts = attempts + 1,
    runs = runs + 1, started_at = @now, updated_at = @now, lease_until = @lease,
    finished_at = NULL, exit_code = NULL, duration_ms = NULL
  WHERE seq IN (SELECT seq FROM jobs INDEXED BY jobs_ready WHERE ${READY} AND run_at <= @now
                ORDER BY priority DESC, created_at, seq LIMIT @limit)
    AND NOT EXISTS (SELECT 1 FROM workers WHERE id = @worker AND stop_requested IS NOT NULL)
  RETURNING *`;

/** Fencing: the run (@job_id, @attempt) is still held by @worker_id (see Store). */
const HELD = `SELECT 1 FROM jobs
  WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND runs = @attempt`;

/** Pick-up order: priority first, then first come, first served. */
const byPickOrder = (a: JobRow, b: JobRow) => b.priority - a.priority || a.created_at - b.created_at || a.seq - b.seq;

/** The embedded store: one SQLite file in WAL mode, shared by every local process. */
export class SqliteStore implements Store {
  readonly engine = "sqlite" as const;
  readonly location: string;
  private readonly db: Database.Database;
  private readonly wake: FileWake;
  private readonly statements = new Map<string, Stmt>();
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Room on the disk: checkpoint interval, recovery after a full disk (null in memory). */
  private readonly disk: DiskSpace | null;
  /** Which files were opened: a store deleted or replaced under this process is noticed. */
  private readonly files: StoreFiles | null;

  private constructor(path: string) {
    this.location = path;
    const inMemory = path === ":memory:";
    try {
      if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.db = new Database(path, { timeout: 10_000 });
      if (!inMemory) chmodSync(path, 0o600);
    } catch (error) {
      throw new QueueError("unavailable", `cannot open the SQLite store at ${path}: ${(error as Error).message}`);
    }
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a commit survives a crash of the process, not always a power loss.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    // Statement journals (any statement that fires a trigger or changes many rows inside a
    // transaction) in memory, not in a temp file created per statement: that file cost ~40 µs a
    // row when enqueuing, 5x the insert itself. Temp tables of a sort are in memory too.
    this.db.pragma("temp_store = MEMORY");
    // The checkpoint interval (long, for throughput) is set by DiskSpace, shorter on a disk short of space.
    this.disk = inMemory ? null : new DiskSpace(this.db, dirname(path));
    // Read once so that the -wal and -shm files exist: StoreFiles notes which files these are.
    this.db.prepare("SELECT count(*) FROM sqlite_master").get();
    this.files = inMemory ? null : new StoreFiles(path);
    this.wake = new FileWake(inMemory ? null : `${path}-wake`);
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
  }

  static open(path: string): SqliteStore {
    return new SqliteStore(path);
  }

  async migrate(): Promise<void> {
    migrate(this.db);
  }

  async close(): Promise<void> {
    this.wake.close();
    if (this.db.open) this.db.close();
    this.files?.releaseSidecars();
  }

  /** One write transaction, BEGIN IMMEDIATE: it takes the write lock first, so it never deadlocks
   * on a lock upgrade and waits (busy timeout) for another process's write instead. */
  private write<T>(fn: () => T): T {
    const now = Date.now();
    this.files?.verify(now);
    try {
      this.disk?.beforeWrite(now);
      return this.inTransaction.immediate(fn) as T;
    } catch (error) {
      // better-sqlite3 has rolled the transaction back; a full disk is remembered for the next write.
      this.disk?.failed(error);
      throw error;
    }
  }

  /** Prepared once per SQL text, then reused. */
  private sql(text: string): Stmt {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  // ---- jobs

  async insertJobs(jobs: NewJob[]): Promise<void> {
    const insert = this.sql(
      `INSERT INTO jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at)
       VALUES (@id, @command, 'pending', @priority, @max_retries, @timeout, @run_at, @created_at, @created_at)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.write(() => {
      for (const job of jobs) {
        if (insert.run(job).changes === 0) throw conflict(`duplicate id: a job with id "${job.id}" already exists`);
      }
    });
  }

  async getJob(id: string): Promise<Job | null> {
    const row = this.sql(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  async listJobs(filter: JobFilter): Promise<ListedJobPage> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit + 1 };
    if (filter.state) {
      where.push("state = @state");
      params.state = filter.state;
    }
    if (filter.q) {
      where.push(`(id LIKE @q ESCAPE '\\' OR command LIKE @q ESCAPE '\\')`);
      params.q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (filter.cursor) {
      where.push("seq < @cursor");
      params.cursor = decodeCursor(filter.cursor);
    }
    const rows = this.sql(
      `SELECT ${LISTED_COLUMNS} FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY seq DESC LIMIT @limit`,
    ).all(params) as ListedRow[];
    const more = rows.length > filter.limit;
    const jobs = rows.slice(0, filter.limit).map(toListedJob);
    const last = jobs.at(-1);
    return { jobs, next_cursor: more && last ? cursorAfter(last) : null };
  }

  async jobsUpdatedSince(after: number | ChangeCursor, limit: number): Promise<ListedJob[]> {
    // A bare time means "after every change stamped then". The plain range lets the updated_at
    // index (which ends in seq, the rowid) narrow the scan; the row comparison pages.
    const cursor = typeof after === "number" ? { updated_at: after, seq: Number.MAX_SAFE_INTEGER } : after;
    const rows = this.sql(
      `SELECT ${LISTED_COLUMNS} FROM jobs WHERE updated_at >= @at AND (updated_at, seq) > (@at, @seq)
       ORDER BY updated_at, seq LIMIT @limit`,
    ).all({ at: cursor.updated_at, seq: cursor.seq, limit }) as ListedRow[];
    return rows.map(toListedJob);
  }

  async jobIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    // BINARY comparison is code point order: the range is exact and walks the id index.
    const end = prefixEnd(prefix);
    const rows = this.sql(
      `SELECT id FROM jobs WHERE id >= @prefix ${end === null ? "" : "AND id < @end"} ORDER BY id LIMIT @limit`,
    ).all({ prefix, limit, ...(end === null ? {} : { end }) }) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async countJobs(): Promise<StateCounts> {
    // Kept by triggers (migration 3): five rows, whatever the number of jobs.
    const rows = this.sql(`SELECT state, n FROM job_counts`).all() as { state: string; n: number }[];
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
    for (const row of rows) if (row.state in counts) counts[row.state as keyof StateCounts] = row.n;
    return counts;
  }

  async claimJobs(workerId: string, limit: number, now: number, leaseMs: number): Promise<ClaimedJob[]> {
    return this.write(() => this.claimNow({ workerId, limit, now, leaseMs }));
  }

  async finishAndClaim(runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult> {
    return this.write(() => {
      const refused = this.finishNow(runs);
      return { claimed: this.claimNow(claim), refused };
    });
  }

  /** The claim's statements; the caller holds the write transaction. */
  private claimNow({ workerId, limit, now, leaseMs }: ClaimRequest): ClaimedJob[] {
    if (limit <= 0) return [];
    const rows = this.sql(CLAIM_SQL).all({ worker: workerId, now, lease: now + leaseMs, limit }) as JobRow[];
    const record = this.sql(
      `INSERT INTO attempts (job_id, number, worker_id, outcome, started_at) VALUES (?, ?, ?, 'running', ?)`,
    );
    return rows.sort(byPickOrder).map((row) => {
      record.run(row.id, row.runs, workerId, now);
      return { job: toJob(row), attempt: row.runs };
    });
  }

  async nextRunAt(): Promise<number | null> {
    // INDEXED BY: left to itself the planner took jobs_state and read run_at from every ready row,
    // which lies past the command: a walk over each command's overflow pages (1,000 jobs of 60 KB
    // took 0.2-2 s, and /api/status waited for it). The partial index answers min() in one step.
    const row = this.sql(`SELECT min(run_at) AS at FROM jobs INDEXED BY jobs_due WHERE ${READY}`).get() as {
      at: number | null;
    };
    return row.at;
  }

  async writeOutput(
    jobId: string,
    attempt: number,
    workerId: string,
    stream: OutputStream,
    output: AttemptOutput,
  ): Promise<boolean> {
    return this.write(() => {
      const run = { job_id: jobId, attempt, worker_id: workerId };
      if (!this.sql(HELD).get(run)) return false;
      this.sql(
        `INSERT INTO outputs (job_id, number, stream, data, total_bytes, truncated) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (job_id, number, stream) DO UPDATE SET
           data = excluded.data, total_bytes = excluded.total_bytes, truncated = excluded.truncated`,
      ).run(jobId, attempt, stream, output.data, output.total_bytes, output.truncated ? 1 : 0);
      this.sql(`UPDATE attempts SET ${stream}_bytes = ? WHERE job_id = ? AND number = ?`).run(
        output.total_bytes,
        jobId,
        attempt,
      );
      return true;
    });
  }

  async finishRuns(runs: FinishedRun[]): Promise<string[]> {
    if (runs.length === 0) return [];
    return this.write(() => this.finishNow(runs));
  }

  /** The finish's statements; the caller holds the write transaction. Returns the refused runs' ids. */
  private finishNow(runs: FinishedRun[]): string[] {
    const held = this.sql(HELD);
    const refused: string[] = [];
    const attemptDone = this.sql(
      `UPDATE attempts SET outcome = @outcome, finished_at = @finished_at, duration_ms = @duration_ms,
         exit_code = @exit_code, signal = @signal, error = @error,
         stdout_bytes = @stdout_bytes, stderr_bytes = @stderr_bytes
       WHERE job_id = @job_id AND number = @attempt`,
    );
    const saveOutput = this.sql(
      `INSERT OR REPLACE INTO outputs (job_id, number, stream, data, total_bytes, truncated) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const moveJob = this.sql(
      `UPDATE jobs SET state = @state, run_at = coalesce(@run_at, run_at), attempts = attempts - @uncount,
         finished_at = @finished_at, exit_code = @exit_code, duration_ms = @duration_ms, last_error = @error,
         updated_at = @finished_at, worker_id = NULL, lease_until = NULL
       WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND runs = @attempt`,
    );
    for (const run of runs) {
      if (!held.get({ job_id: run.job_id, attempt: run.attempt, worker_id: run.worker_id })) {
        refused.push(run.job_id);
        continue;
      }
      attemptDone.run({
        outcome: run.outcome,
        finished_at: run.finished_at,
        duration_ms: run.duration_ms,
        exit_code: run.exit_code,
        signal: run.signal,
        error: run.error,
        stdout_bytes: run.stdout.total_bytes,
        stderr_bytes: run.stderr.total_bytes,
        job_id: run.job_id,
        attempt: run.attempt,
      });
      for (const stream of ["stdout", "stderr"] as const) {
        const output = run[stream];
        // Bytes only grow, so an empty final output never replaces a streamed one.
        if (output.total_bytes > 0) {
          saveOutput.run(run.job_id, run.attempt, stream, output.data, output.total_bytes, output.truncated ? 1 : 0);
        }
      }
      const { next } = run;
      moveJob.run({
        state: next.state === "requeue" ? "pending" : next.state,
        run_at: next.state === "failed" ? next.run_at : next.state === "requeue" ? run.finished_at : null,
        uncount: next.state === "requeue" ? 1 : 0,
        finished_at: run.finished_at,
        exit_code: run.exit_code,
        duration_ms: run.duration_ms,
        error: run.error,
        job_id: run.job_id,
        worker_id: run.worker_id,
        attempt: run.attempt,
      });
    }
    return refused;
  }

  async heartbeat({ workerId, held, leaseMs, clock }: Heartbeat): Promise<HeartbeatAnswer> {
    return this.write(() => {
      // Inside the transaction: the write lock is ours, so time spent waiting for it is not
      // taken off the new leases (core/lease.ts).
      const now = clock();
      const row = this.sql(`UPDATE workers SET heartbeat_at = ? WHERE id = ? RETURNING stop_requested`).get(
        now,
        workerId,
      ) as { stop_requested: WorkerInfo["stop_requested"] } | undefined;
      const extend = this.sql(
        `UPDATE jobs SET lease_until = @lease
         WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND runs = @attempt`,
      );
      const lease = now + leaseMs;
      const lost: string[] = [];
      for (const { job_id, attempt } of held) {
        if (extend.run({ lease, job_id, attempt, worker_id: workerId }).changes === 0) lost.push(job_id);
      }
      return { stop: row ? row.stop_requested : ("gone" as const), lost };
    });
  }

  async reap({ now, deadWorkerIds, staleBefore, judgeLeases = true }: ReapOptions): Promise<string[]> {
    const dead = JSON.stringify(deadWorkerIds);
    return this.write(() => {
      const lost = this.sql(
        `SELECT id, runs, attempts, max_retries, worker_id, lease_until FROM jobs
           WHERE state = 'processing'
             AND ((@leases AND lease_until < @now) OR worker_id IN (SELECT value FROM json_each(@dead)))`,
      ).all({ now, dead, leases: judgeLeases ? 1 : 0 }) as Pick<
        JobRow,
        "id" | "runs" | "attempts" | "max_retries" | "worker_id" | "lease_until"
      >[];
      for (const job of lost) {
        const error = `worker ${job.worker_id ?? "?"} was lost (${
          deadWorkerIds.includes(job.worker_id ?? "") ? "its process is gone" : "its lease expired"
        }); the run was abandoned`;
        this.sql(
          `UPDATE attempts SET outcome = 'lost', finished_at = @now, duration_ms = @now - started_at, error = @error
             WHERE job_id = @id AND number = @runs AND outcome = 'running'`,
        ).run({ now, error, id: job.id, runs: job.runs });
        this.sql(
          `UPDATE jobs SET state = @state, run_at = @now, updated_at = @now, finished_at = @now,
               last_error = @error, worker_id = NULL, lease_until = NULL
             WHERE id = @id AND state = 'processing' AND runs = @runs`,
        ).run({ state: job.attempts > job.max_retries ? "dead" : "failed", now, error, id: job.id, runs: job.runs });
      }
      this.sql(`DELETE FROM workers WHERE heartbeat_at < @stale OR id IN (SELECT value FROM json_each(@dead))`).run({
        stale: staleBefore,
        dead,
      });
      return lost.map((job) => job.id);
    });
  }

  // ---- attempts and output

  async listAttempts(jobId: string): Promise<Attempt[]> {
    return this.sql(`SELECT * FROM attempts WHERE job_id = ? ORDER BY number`).all(jobId) as Attempt[];
  }

  async getOutput(jobId: string, attempt: number, stream: OutputStream): Promise<AttemptOutput | null> {
    const row = this.sql(
      `SELECT o.data, o.total_bytes, o.truncated, a.number FROM attempts a
       LEFT JOIN outputs o ON o.job_id = a.job_id AND o.number = a.number AND o.stream = ?
       WHERE a.job_id = ? AND a.number = ?`,
    ).get(stream, jobId, attempt) as
      { data: Buffer | null; total_bytes: number | null; truncated: number | null } | undefined;
    if (!row) return null;
    return { data: row.data ?? Buffer.alloc(0), total_bytes: row.total_bytes ?? 0, truncated: row.truncated === 1 };
  }

  // ---- dead letter queue

  async retryDead(id: string, now: number): Promise<Job> {
    return this.write(() => {
      const row = this.sql(
        `UPDATE jobs SET state = 'pending', attempts = 0, run_at = @now, updated_at = @now
           WHERE id = @id AND state = 'dead' RETURNING *`,
      ).get({ id, now }) as JobRow | undefined;
      if (row) return toJob(row);
      const existing = this.sql(`SELECT state FROM jobs WHERE id = ?`).get(id) as { state: string } | undefined;
      if (!existing) throw notFound("job", id);
      throw conflict(`job ${id} is ${existing.state}, not dead: only dead jobs can be retried`);
    });
  }

  async retryAllDead(now: number): Promise<number> {
    return this.sql(
      `UPDATE jobs SET state = 'pending', attempts = 0, run_at = @now, updated_at = @now WHERE state = 'dead'`,
    ).run({ now }).changes;
  }

  // ---- workers

  async registerWorker(worker: NewWorker): Promise<void> {
    this.sql(
      `INSERT INTO workers (id, host, pid, slots, started_at, heartbeat_at) VALUES (@id, @host, @pid, @slots, @started_at, @started_at)`,
    ).run(worker);
  }

  async deregisterWorker(id: string): Promise<void> {
    this.sql(`DELETE FROM workers WHERE id = ?`).run(id);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    const rows = this.sql(
      `SELECT w.*, (SELECT json_group_array(j.id) FROM jobs j WHERE j.worker_id = w.id AND j.state = 'processing') AS running
       FROM workers w ORDER BY w.started_at, w.id`,
    ).all() as (Omit<WorkerInfo, "running"> & { running: string })[];
    return rows.map((row) => ({ ...row, running: JSON.parse(row.running) as string[] }));
  }

  async requestStop(mode: "drain" | "now", workerId?: string): Promise<number> {
    // "now" overrides "drain"; a drain request never weakens a "now".
    const sql = `UPDATE workers SET stop_requested = @mode
                 WHERE (@id IS NULL OR id = @id) AND (stop_requested IS NULL OR @mode = 'now')`;
    const changed = this.sql(sql).run({ mode, id: workerId ?? null }).changes;
    const asked = this.sql(`SELECT count(*) AS n FROM workers WHERE (@id IS NULL OR id = @id)`).get({
      id: workerId ?? null,
    }) as { n: number };
    return Math.max(changed, asked.n);
  }

  // ---- settings

  async getSettings(): Promise<Record<string, string>> {
    const rows = this.sql(`SELECT key, value FROM settings`).all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.sql(
      `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(key, value);
  }

  // ---- metrics

  async metrics(now: number): Promise<Metrics> {
    const counts = await this.countJobs();
    const totals = this.sql(
      `SELECT count(*) AS total, coalesce(sum(outcome <> 'completed'), 0) AS failed
       FROM attempts WHERE finished_at IS NOT NULL AND outcome <> 'interrupted'`,
    ).get() as { total: number; failed: number };
    // Durations describe successful runs: a timeout or a crash says nothing about how long work takes.
    const timed = this.sql(
      `SELECT count(*) AS n, avg(duration_ms) AS avg FROM attempts WHERE outcome = 'completed'`,
    ).get() as { n: number; avg: number | null };
    const percentile = (p: number): number | null => {
      if (timed.n === 0) return null;
      const row = this.sql(
        `SELECT duration_ms AS d FROM attempts WHERE outcome = 'completed' ORDER BY duration_ms LIMIT 1 OFFSET ?`,
      ).get(Math.floor(p * (timed.n - 1))) as { d: number };
      return row.d;
    };
    const extreme = (order: "ASC" | "DESC") =>
      (this.sql(
        `SELECT job_id, duration_ms FROM attempts WHERE outcome = 'completed' ORDER BY duration_ms ${order} LIMIT 1`,
      ).get() as { job_id: string; duration_ms: number } | undefined) ?? null;
    const completedSince = (ms: number) =>
      (
        this.sql(`SELECT count(*) AS n FROM attempts WHERE finished_at >= ? AND outcome = 'completed'`).get(
          now - ms,
        ) as { n: number }
      ).n;
    const lastMinute = completedSince(60_000);
    const finished = counts.completed + counts.dead;
    return {
      counts,
      total_jobs: Object.values(counts).reduce((a, b) => a + b, 0),
      attempts_total: totals.total,
      attempts_failed: totals.failed,
      success_rate: finished === 0 ? null : counts.completed / finished,
      duration_ms: {
        avg: timed.avg,
        p50: percentile(0.5),
        p95: percentile(0.95),
      },
      fastest: extreme("ASC"),
      slowest: extreme("DESC"),
      throughput: {
        last_minute: lastMinute,
        last_hour: completedSince(3_600_000) / 60,
        per_second_last_minute: lastMinute / 60,
      },
    };
  }

  async throughput(now: number, bucketMs: number, buckets: number): Promise<ThroughputPoint[]> {
    const start = now - bucketMs * buckets;
    const rows = this.sql(
      `SELECT (finished_at - @start) / @bucket AS b,
              sum(outcome = 'completed') AS completed, sum(outcome <> 'completed') AS failed
       FROM attempts WHERE finished_at >= @start AND finished_at IS NOT NULL AND outcome <> 'interrupted'
       GROUP BY b`,
    ).all({ start, bucket: bucketMs }) as { b: number; completed: number; failed: number }[];
    const points = Array.from({ length: buckets }, (_, i) => ({ at: start + i * bucketMs, completed: 0, failed: 0 }));
    for (const row of rows) {
      const point = points[Math.min(Math.floor(row.b), buckets - 1)];
      if (point) {
        point.completed += row.completed;
        point.failed += row.failed;
      }
    }
    return points;
  }

  // ---- wake-ups

  notify(): void {
    this.wake.notify();
  }

  subscribe(listener: () => void): () => void {
    return this.wake.subscribe(listener);
  }
}

function toJob(row: JobRow): Job {
  const { runs: _runs, ...job } = row;
  return job;
}

function decodeCursor(cursor: string): number {
  const seq = Number(cursor);
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new QueueError("invalid", `cursor: not a cursor this store returned: ${cursor}`, { cursor: "invalid" });
  }
  return seq;
}
