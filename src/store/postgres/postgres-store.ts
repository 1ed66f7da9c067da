import { createHash } from "node:crypto";
import type {
  Attempt,
  AttemptOutput,
  ClaimedJob,
  InsertedJob,
  Job,
  JobFilter,
  Metrics,
  NewJob,
  OutputStream,
  StateCounts,
  ThroughputPoint,
  WorkerInfo,
} from "../../core/types.js";
import type { JobsActed } from "../../core/job-actions.js";
import type { ChangeCursor, ListedJob, ListedJobPage } from "../../core/listing.js";
import type { QueueChange, QueueInfo, QueueSettings } from "../../core/queues.js";
import type { NewSchedule, Schedule, ScheduleFiring } from "../../core/schedule.js";
import type { PrunableState } from "../../core/retention.js";
import type {
  CancelAnswer,
  CancelOrder,
  ClaimRequest,
  FinishAndClaimResult,
  FinishedAttempt,
  FinishedCursor,
  QueueRunTotals,
  FinishedRun,
  Heartbeat,
  HeartbeatAnswer,
  NewWorker,
  ReapOptions,
  RunTotals,
  Store,
} from "../../core/store.js";
import { pgSettings, type PgSettings } from "./config.js";
import { Db, unavailable } from "./db.js";
import { Listener } from "./listener.js";
import { migrate } from "./migrations.js";
import { cancelJob } from "./sql/cancel.js";
import { claimJobs } from "./sql/claim-jobs.js";
import { deleteJobs } from "./sql/delete-jobs.js";
import { jobLinks } from "./sql/dependencies.js";
import type { JobLinks } from "../../core/dependencies.js";
import { retryAllDead, retryDead } from "./sql/dlq.js";
import { finishAndClaim } from "./sql/finish-and-claim.js";
import { finishRuns } from "./sql/finish-runs.js";
import { heartbeat } from "./sql/heartbeat.js";
import { insertJobs } from "./sql/insert-jobs.js";
import { metrics, throughput } from "./sql/metrics.js";
import { getOutput, listAttempts, writeOutput } from "./sql/output.js";
import { countPrunable, pruneJobs, pruneOutput } from "./sql/prune.js";
import { reap } from "./sql/reap.js";
import { retryJobs } from "./sql/retry-jobs.js";
import {
  dueSchedules,
  fireSchedule,
  getSchedule,
  insertSchedule,
  listSchedules,
  nextScheduleSlot,
  removeSchedule,
  setSchedulePaused,
} from "./sql/schedules.js";
import { finishedAttempts, runTotals, runTotalsByQueue } from "./sql/run-stats.js";
import { countJobs, getJob, jobIdsByPrefix, jobsUpdatedSince, listJobs, nextRunAt } from "./sql/read-jobs.js";
import { listQueues, setQueue } from "./sql/queues.js";
import { getSettings, setSetting } from "./sql/settings.js";
import { deregisterWorker, listWorkers, registerWorker, requestStop } from "./sql/workers.js";

/**
 * The PostgreSQL engine: one queue shared by workers on many machines. Each method is one SQL
 * operation in its own module under sql/; this class only wires them to a pool and a listener.
 * Reads and idempotent writes go through the idempotent view of the pool (retried once after a lost
 * connection); the others do not, since a write whose connection died may have committed: their
 * callers retry them (the worker keeps results in memory until they are written).
 */
export class PostgresStore implements Store {
  readonly engine = "postgres" as const;
  readonly location: string;
  readonly schema: string;
  /** The NOTIFY channel: per schema, so queues sharing a database do not wake each other. */
  readonly channel: string;
  private readonly db: Db;
  /**
   * For statements that have the same effect run twice (reads, upserts and deletes by id): retried
   * once at once after a lost connection (see Db.idempotent).
   */
  private readonly idempotent: Db;
  private readonly listener: Listener;
  /** Finished jobs, for `wait`: another channel, so that workers do not wake for them. */
  readonly finishedChannel: string;
  private readonly finishedListener: Listener;
  private closed = false;

  private constructor(settings: PgSettings) {
    this.db = new Db(settings);
    this.idempotent = this.db.idempotent;
    this.location = settings.location;
    this.schema = settings.schema;
    this.channel = channelName(settings.schema);
    this.listener = new Listener(settings, this.channel);
    this.finishedChannel = channelName(settings.schema, "queuectl-finished");
    this.finishedListener = new Listener(settings, this.finishedChannel, { wakeOnListen: true });
  }

  /**
   * Opens a pool and proves the server answers, so a wrong URL or a server that is down fails here
   * with one line. Schema: `?schema=NAME` in the URL, else $QUEUECTL_SCHEMA, else "queuectl".
   */
  static async connect(url: string, env: NodeJS.ProcessEnv = process.env): Promise<PostgresStore> {
    const store = new PostgresStore(pgSettings(url, env));
    try {
      await store.db.pool.query("SELECT 1");
    } catch (error) {
      await store.db.end().catch(() => {});
      throw unavailable(store.location, error);
    }
    return store;
  }

  migrate(): Promise<void> {
    return migrate(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.close();
    await this.finishedListener.close();
    await this.db.end();
  }

  // ---- jobs

  insertJobs(jobs: NewJob[]): Promise<InsertedJob[]> {
    return insertJobs(this.db, jobs);
  }
  getJob(id: string): Promise<Job | null> {
    return getJob(this.idempotent, id);
  }
  jobLinks(id: string, limit: number): Promise<JobLinks> {
    return jobLinks(this.idempotent, id, limit);
  }
  jobIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    return jobIdsByPrefix(this.idempotent, prefix, limit);
  }
  listJobs(filter: JobFilter): Promise<ListedJobPage> {
    return listJobs(this.idempotent, filter);
  }
  jobsUpdatedSince(after: number | ChangeCursor, limit: number): Promise<ListedJob[]> {
    return jobsUpdatedSince(this.idempotent, after, limit);
  }
  countJobs(): Promise<StateCounts> {
    return countJobs(this.idempotent);
  }
  claimJobs(
    workerId: string,
    limit: number,
    now: number,
    leaseMs: number,
    queues?: readonly string[] | null,
  ): Promise<ClaimedJob[]> {
    return claimJobs(this.db, { workerId, limit, now, leaseMs, queues });
  }
  nextRunAt(): Promise<number | null> {
    return nextRunAt(this.idempotent);
  }
  writeOutput(
    jobId: string,
    attempt: number,
    workerId: string,
    stream: OutputStream,
    output: AttemptOutput,
  ): Promise<boolean> {
    return writeOutput(this.db, jobId, attempt, workerId, stream, output);
  }
  finishAndClaim(runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult> {
    return finishAndClaim(this.db, runs, claim);
  }

  finishRuns(runs: FinishedRun[]): Promise<string[]> {
    return finishRuns(this.db, runs);
  }
  heartbeat(beat: Heartbeat): Promise<HeartbeatAnswer> {
    return heartbeat(this.idempotent, beat);
  }
  reap(options: ReapOptions): Promise<string[]> {
    return reap(this.db, options);
  }

  /** Not idempotent: a retried cancel could report a job it cancelled as refused. */
  cancelJob(id: string, order: CancelOrder, now: number): Promise<CancelAnswer> {
    return cancelJob(this.db, id, order, now);
  }

  // ---- attempts and output

  listAttempts(jobId: string): Promise<Attempt[]> {
    return listAttempts(this.idempotent, jobId);
  }
  getOutput(jobId: string, attempt: number, stream: OutputStream, from = 0): Promise<AttemptOutput | null> {
    return getOutput(this.idempotent, jobId, attempt, stream, from);
  }

  // ---- dead letter queue

  retryDead(id: string, now: number): Promise<Job> {
    return retryDead(this.db, id, now);
  }
  retryAllDead(now: number): Promise<number> {
    return retryAllDead(this.db, now);
  }

  // ---- chosen jobs

  deleteJobs(ids: string[]): Promise<JobsActed> {
    return deleteJobs(this.db, ids);
  }
  retryJobs(ids: string[], now: number): Promise<JobsActed> {
    return retryJobs(this.db, ids, now);
  }

  // ---- workers

  registerWorker(worker: NewWorker): Promise<void> {
    return registerWorker(this.idempotent, worker);
  }
  deregisterWorker(id: string): Promise<void> {
    return deregisterWorker(this.idempotent, id);
  }
  listWorkers(): Promise<WorkerInfo[]> {
    return listWorkers(this.idempotent);
  }
  requestStop(mode: "drain" | "now", workerId?: string): Promise<number> {
    return requestStop(this.db, mode, workerId);
  }

  // ---- queues

  listQueues(): Promise<QueueInfo[]> {
    return listQueues(this.db);
  }
  setQueue(name: string, change: QueueChange): Promise<QueueSettings> {
    return setQueue(this.db, name, change);
  }

  // ---- settings

  getSettings(): Promise<Record<string, string>> {
    return getSettings(this.idempotent);
  }
  setSetting(key: string, value: string): Promise<void> {
    return setSetting(this.idempotent, key, value);
  }

  // ---- metrics

  runTotalsByQueue(): Promise<QueueRunTotals[]> {
    return runTotalsByQueue(this.idempotent);
  }

  metrics(now: number, queue: string | null = null): Promise<Metrics> {
    return metrics(this.idempotent, now, queue);
  }
  throughput(now: number, bucketMs: number, buckets: number, queue: string | null = null): Promise<ThroughputPoint[]> {
    return throughput(this.idempotent, now, bucketMs, buckets, queue);
  }
  runTotals(): Promise<RunTotals> {
    return runTotals(this.idempotent);
  }
  finishedAttempts(after: FinishedCursor, until: number, limit: number): Promise<FinishedAttempt[]> {
    return finishedAttempts(this.idempotent, after, until, limit);
  }

  // ---- cron schedules

  insertSchedule(schedule: NewSchedule, replace: boolean): Promise<void> {
    return insertSchedule(this.db, schedule, replace);
  }
  getSchedule(name: string): Promise<Schedule | null> {
    return getSchedule(this.idempotent, name);
  }
  listSchedules(): Promise<Schedule[]> {
    return listSchedules(this.idempotent);
  }
  dueSchedules(now: number): Promise<Schedule[]> {
    return dueSchedules(this.idempotent, now);
  }
  nextScheduleSlot(): Promise<number | null> {
    return nextScheduleSlot(this.idempotent);
  }
  setSchedulePaused(name: string, paused: boolean, now: number, nextSlot: number | null): Promise<boolean> {
    return setSchedulePaused(this.db, name, paused, now, nextSlot);
  }
  removeSchedule(name: string): Promise<boolean> {
    return removeSchedule(this.db, name);
  }
  /** Not retried after a lost connection: the caller plans again from the stored last_slot. */
  fireSchedule(firing: ScheduleFiring): Promise<string[] | null> {
    return fireSchedule(this.db, firing);
  }
  // ---- retention: a batch run twice removes other rows, never the same runs twice (idempotent view)

  async pruneJobs(state: PrunableState, before: number, limit: number): Promise<number> {
    return pruneJobs(this.idempotent, state, before, limit);
  }
  async pruneOutput(before: number, limit: number): Promise<{ walked: number; dropped: number }> {
    return pruneOutput(this.idempotent, before, limit);
  }
  async countPrunable(what: PrunableState | "output", before: number): Promise<number> {
    return countPrunable(this.idempotent, what, before);
  }
  /** PostgreSQL's autovacuum makes freed space reusable; giving it back (VACUUM FULL) would lock the tables. */
  async reclaimSpace(): Promise<boolean> {
    return false;
  }

  // ---- wake-ups

  /** NOTIFY through the pool. Fire-and-forget: a lost wake-up only costs one poll interval. */
  notify(): void {
    if (this.closed) return;
    this.db.query("SELECT pg_notify($1, '')", [this.channel]).catch(() => {});
  }

  subscribe(listener: () => void): () => void {
    return this.listener.subscribe(listener);
  }

  notifyFinished(): void {
    if (this.closed) return;
    this.db.query("SELECT pg_notify($1, '')", [this.finishedChannel]).catch(() => {});
  }

  subscribeFinished(listener: () => void): () => void {
    return this.finishedListener.subscribe(listener);
  }

  /** Resolves once subscribers are really listening (a NOTIFY sent before that is not seen). */
  listening(timeoutMs?: number): Promise<void> {
    return this.listener.ready(timeoutMs);
  }
}

/** Channel names are identifiers (at most 63 bytes): hash a schema name too long to fit. */
function channelName(schema: string, prefix = "queuectl"): string {
  const name = `${prefix}:${schema}`;
  return name.length <= 63 ? name : `${prefix}:${createHash("sha256").update(schema).digest("hex").slice(0, 32)}`;
}
