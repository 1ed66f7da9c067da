import type { JobsActed } from "../../core/job-actions.js";
import type { ChangeCursor, ListedJob, ListedJobPage } from "../../core/listing.js";
import type { QueueChange, QueueInfo, QueueSettings } from "../../core/queues.js";
import type { NewSchedule, Schedule, ScheduleFiring } from "../../core/schedule.js";
import type { PrunableState } from "../../core/retention.js";
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
import type { JobLinks } from "../../core/dependencies.js";
import { Db } from "./db.js";
import { jobLinks } from "./sql/dependencies.js";
import { FileWake } from "./file-wake.js";
import { migrate } from "./migrations.js";
import { cancelJob } from "./sql/cancel.js";
import { claimJobs } from "./sql/claim-jobs.js";
import { deleteJobs } from "./sql/delete-jobs.js";
import { retryAllDead, retryDead } from "./sql/dlq.js";
import { finishAndClaim } from "./sql/finish-and-claim.js";
import { finishRuns } from "./sql/finish-runs.js";
import { heartbeat } from "./sql/heartbeat.js";
import { insertJobs } from "./sql/insert-jobs.js";
import { metrics, throughput } from "./sql/metrics.js";
import { getOutput, listAttempts, writeOutput } from "./sql/output.js";
import { countPrunable, pruneJobs, pruneOutput, reclaimSpace } from "./sql/prune.js";
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
import { countJobs, getJob, jobIdsByPrefix, jobsUpdatedSince, listJobs, nextRunAt } from "./sql/read-jobs.js";
import { finishedAttempts, runTotals, runTotalsByQueue } from "./sql/run-stats.js";
import { listQueues, setQueue } from "./sql/queues.js";
import { getSettings, setSetting } from "./sql/settings.js";
import { deregisterWorker, listWorkers, registerWorker, requestStop } from "./sql/workers.js";

/**
 * The embedded engine: one SQLite file in WAL mode, shared by every local process. Each method is
 * one SQL operation in its own module under sql/ (the same operations as the PostgreSQL engine's);
 * this class only wires them to the connection and the file wake-up. better-sqlite3 is synchronous:
 * the methods are async only to keep the Store contract.
 */
export class SqliteStore implements Store {
  readonly engine = "sqlite" as const;
  readonly location: string;
  private readonly db: Db;
  private readonly wake: FileWake;
  /** Finished jobs, for `wait`: another file, so that workers do not wake for them. */
  private readonly finishedWake: FileWake;

  private constructor(path: string) {
    this.location = path;
    this.db = new Db(path);
    this.wake = new FileWake(path === ":memory:" ? null : `${path}-wake`);
    this.finishedWake = new FileWake(path === ":memory:" ? null : `${path}-finished`);
  }

  static open(path: string): SqliteStore {
    return new SqliteStore(path);
  }

  async migrate(): Promise<void> {
    migrate(this.db.raw);
  }

  async close(): Promise<void> {
    this.wake.close();
    this.finishedWake.close();
    this.db.close();
  }

  // ---- jobs

  async insertJobs(jobs: NewJob[]): Promise<InsertedJob[]> {
    return insertJobs(this.db, jobs);
  }
  async getJob(id: string): Promise<Job | null> {
    return getJob(this.db, id);
  }
  async jobLinks(id: string, limit: number): Promise<JobLinks> {
    return jobLinks(this.db, id, limit);
  }
  async listJobs(filter: JobFilter): Promise<ListedJobPage> {
    return listJobs(this.db, filter);
  }
  async jobsUpdatedSince(after: number | ChangeCursor, limit: number): Promise<ListedJob[]> {
    return jobsUpdatedSince(this.db, after, limit);
  }

  async jobIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    return jobIdsByPrefix(this.db, prefix, limit);
  }
  async countJobs(): Promise<StateCounts> {
    return countJobs(this.db);
  }
  async claimJobs(
    workerId: string,
    limit: number,
    now: number,
    leaseMs: number,
    queues?: readonly string[] | null,
  ): Promise<ClaimedJob[]> {
    return claimJobs(this.db, { workerId, limit, now, leaseMs, queues });
  }
  async nextRunAt(): Promise<number | null> {
    return nextRunAt(this.db);
  }
  async writeOutput(
    jobId: string,
    attempt: number,
    workerId: string,
    stream: OutputStream,
    output: AttemptOutput,
  ): Promise<boolean> {
    return writeOutput(this.db, jobId, attempt, workerId, stream, output);
  }
  async finishAndClaim(runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult> {
    return this.wakeForUnblocked(finishAndClaim(this.db, runs, claim));
  }
  async finishRuns(runs: FinishedRun[]): Promise<string[]> {
    return this.wakeForUnblocked(finishRuns(this.db, runs));
  }
  /** Jobs whose last dependency just completed are due: idle workers (any process) look again. */
  private wakeForUnblocked<T>(result: T): T {
    if (this.db.unblocked > 0) {
      this.db.unblocked = 0;
      this.wake.notify();
    }
    return result;
  }
  async heartbeat(beat: Heartbeat): Promise<HeartbeatAnswer> {
    return heartbeat(this.db, beat);
  }
  async reap(options: ReapOptions): Promise<string[]> {
    return reap(this.db, options);
  }

  async cancelJob(id: string, order: CancelOrder, now: number): Promise<CancelAnswer> {
    return cancelJob(this.db, id, order, now);
  }

  // ---- attempts and output

  async listAttempts(jobId: string): Promise<Attempt[]> {
    return listAttempts(this.db, jobId);
  }
  async getOutput(jobId: string, attempt: number, stream: OutputStream, from = 0): Promise<AttemptOutput | null> {
    return getOutput(this.db, jobId, attempt, stream, from);
  }

  // ---- dead letter queue

  async retryDead(id: string, now: number): Promise<Job> {
    return retryDead(this.db, id, now);
  }
  async retryAllDead(now: number): Promise<number> {
    return retryAllDead(this.db, now);
  }

  // ---- chosen jobs

  async deleteJobs(ids: string[]): Promise<JobsActed> {
    return deleteJobs(this.db, ids);
  }
  async retryJobs(ids: string[], now: number): Promise<JobsActed> {
    return retryJobs(this.db, ids, now);
  }

  // ---- workers

  async registerWorker(worker: NewWorker): Promise<void> {
    registerWorker(this.db, worker);
  }
  async deregisterWorker(id: string): Promise<void> {
    deregisterWorker(this.db, id);
  }
  async listWorkers(): Promise<WorkerInfo[]> {
    return listWorkers(this.db);
  }
  async requestStop(mode: "drain" | "now", workerId?: string): Promise<number> {
    return requestStop(this.db, mode, workerId);
  }

  // ---- queues

  async listQueues(): Promise<QueueInfo[]> {
    return listQueues(this.db);
  }
  async setQueue(name: string, change: QueueChange): Promise<QueueSettings> {
    return setQueue(this.db, name, change);
  }

  // ---- settings

  async getSettings(): Promise<Record<string, string>> {
    return getSettings(this.db);
  }
  async setSetting(key: string, value: string): Promise<void> {
    setSetting(this.db, key, value);
  }

  // ---- metrics

  async runTotalsByQueue(): Promise<QueueRunTotals[]> {
    return runTotalsByQueue(this.db);
  }

  async metrics(now: number, queue: string | null = null): Promise<Metrics> {
    return metrics(this.db, now, queue);
  }
  async throughput(
    now: number,
    bucketMs: number,
    buckets: number,
    queue: string | null = null,
  ): Promise<ThroughputPoint[]> {
    return throughput(this.db, now, bucketMs, buckets, queue);
  }

  async runTotals(): Promise<RunTotals> {
    return runTotals(this.db);
  }

  async finishedAttempts(after: FinishedCursor, until: number, limit: number): Promise<FinishedAttempt[]> {
    return finishedAttempts(this.db, after, until, limit);
  }

  // ---- cron schedules

  async insertSchedule(schedule: NewSchedule, replace: boolean): Promise<void> {
    insertSchedule(this.db, schedule, replace);
  }
  async getSchedule(name: string): Promise<Schedule | null> {
    return getSchedule(this.db, name);
  }
  async listSchedules(): Promise<Schedule[]> {
    return listSchedules(this.db);
  }
  async dueSchedules(now: number): Promise<Schedule[]> {
    return dueSchedules(this.db, now);
  }
  async nextScheduleSlot(): Promise<number | null> {
    return nextScheduleSlot(this.db);
  }
  async setSchedulePaused(name: string, paused: boolean, now: number, nextSlot: number | null): Promise<boolean> {
    return setSchedulePaused(this.db, name, paused, now, nextSlot);
  }
  async removeSchedule(name: string): Promise<boolean> {
    return removeSchedule(this.db, name);
  }
  async fireSchedule(firing: ScheduleFiring): Promise<string[] | null> {
    return fireSchedule(this.db, firing);
  }

  // ---- retention

  async pruneJobs(state: PrunableState, before: number, limit: number): Promise<number> {
    return pruneJobs(this.db, state, before, limit);
  }
  async pruneOutput(before: number, limit: number): Promise<{ walked: number; dropped: number }> {
    return pruneOutput(this.db, before, limit);
  }
  async countPrunable(what: PrunableState | "output", before: number): Promise<number> {
    return countPrunable(this.db, what, before);
  }
  async reclaimSpace(full = false): Promise<boolean> {
    return reclaimSpace(this.db, full);
  }

  // ---- wake-ups

  notify(): void {
    this.wake.notify();
  }

  subscribe(listener: () => void): () => void {
    return this.wake.subscribe(listener);
  }

  notifyFinished(): void {
    this.finishedWake.notify();
  }

  subscribeFinished(listener: () => void): () => void {
    return this.finishedWake.subscribe(listener);
  }
}
