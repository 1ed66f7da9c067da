import { LINKS_SHOWN, type JobLinks } from "./dependencies.js";
import { enqueueJobs, type EnqueuedJob } from "./enqueue.js";
import { listPages } from "./list-pages.js";
import { attemptOutput, jobAttempts, requireJob, type OutputRequest } from "./job-reads.js";
import { parseQueueName, type QueueInfo, type QueueSettings } from "./queues.js";
import { cancelJobs, type CancelJobsResult, type CancelOptions } from "./cancel.js";
import type { Store } from "./store.js";
import { configFromStored, type Config } from "./config.js";
import { invalid, notFound, QueueError } from "./errors.js";
import { idList, type JobsActed } from "./job-actions.js";
import { statusJson, workerJson, type StatusJson, type WorkerJson } from "./json.js";
import { leaseMs } from "./lease.js";
import { pruneNow, type PruneRequest, type PruneResult } from "./prune.js";
import { listLimit, type ChangeCursor, type ListedJob, type ListedJobPage } from "./listing.js";
import { FinishedRunFeed, runCounts, type RunCounts } from "./run-stats.js";
import { Schedules } from "./schedules.js";
import { readStatus, type QueueStatus } from "./status.js";
import type {
  Attempt,
  AttemptOutput,
  Job,
  JobFilter,
  Metrics,
  StateCounts,
  ThroughputPoint,
  WorkerInfo,
} from "./types.js";

export type { QueueStatus };
export type { CancelJobsResult, CancelOptions };
export type { EnqueuedJob };

/**
 * The one core every face calls: validation and defaults happen here, the store only persists.
 * The core names no engine: `Queue.open()` (src/open.ts, the library's `Queue`) picks one.
 */
export class Queue {
  /** For the worker, which drives claims, finishes and leases itself; faces use the methods below. */
  readonly store: Store;
  /** Cron schedules: add, list, pause, resume, remove, run now. */
  readonly schedules: Schedules;

  constructor(store: Store) {
    this.store = store;
    this.schedules = new Schedules(store, () => this.config());
  }

  /** Where the jobs live, for people: a file path or a URL without its password. */
  get location(): string {
    return this.store.location;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  // ---- jobs

  /**
   * Validates and stores one job; returns it as stored. With a `key` held by an active job and
   * on_conflict skip or replace, that job is returned instead, marked `existing`.
   */
  async enqueue(input: unknown): Promise<EnqueuedJob> {
    const [job] = await this.enqueueMany([input]);
    return job as EnqueuedJob;
  }

  /**
   * Validates every input first, then stores all of them in one transaction or none.
   * `labels` name the inputs in error messages (e.g. "line 7"); default "job N".
   */
  async enqueueMany(inputs: unknown[], labels?: string[]): Promise<EnqueuedJob[]> {
    if (inputs.length === 0) throw invalid("no jobs given");
    return enqueueJobs(this.store, await this.config(), inputs, labels);
  }

  async get(id: string): Promise<Job> {
    return requireJob(this.store, id);
  }

  /** A page of jobs for list views: commands longer than LIST_COMMAND_CHARS come cut, and marked
   * `command_truncated` (`get` has the whole command). */
  async list(filter: Partial<JobFilter> = {}): Promise<ListedJobPage> {
    return this.store.listJobs({ ...filter, limit: listLimit(filter.limit) });
  }

  /**
   * The same list as `list(filter)`, read in pages of at most `pageSize` jobs, so that a caller
   * that streams or budgets its output never holds `limit` jobs at once. Each page's next_cursor
   * continues after it; the last page's is the list's own.
   */
  listPages(filter: Partial<JobFilter> = {}, pageSize = 500): AsyncGenerator<ListedJobPage> {
    return listPages(this.store, filter, pageSize);
  }

  /**
   * Jobs changed after a time or a cursor, oldest change first, at most `limit`, commands cut as
   * in lists: what a live view polls.
   */
  async changesSince(after: number | ChangeCursor, limit: number): Promise<ListedJob[]> {
    return this.store.jobsUpdatedSince(after, limit);
  }

  /** At most `limit` job ids starting with `prefix`, ascending (shell completion). */
  async jobIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    return this.store.jobIdsByPrefix(prefix, listLimit(limit));
  }

  /** Every named queue with its settings, jobs per state and running jobs. */
  async queues(): Promise<QueueInfo[]> {
    return this.store.listQueues();
  }

  /** Pauses, resumes or limits a queue (validated here); wakes workers, whose claims may change. */
  async changeQueue(name: unknown, change: unknown): Promise<QueueSettings> {
    // Validation (zod) loads on first use, as for enqueue.
    const { parseQueueChange } = await import("./queue-input.js");
    const settings = await this.store.setQueue(parseQueueName(name), parseQueueChange(change));
    this.store.notify();
    return settings;
  }

  async counts(): Promise<StateCounts> {
    return this.store.countJobs();
  }

  async status(now = Date.now()): Promise<QueueStatus> {
    return (await readStatus(this.store, now)).status;
  }

  /** `status --json` and `GET /api/status`: the status with each worker's status judged. */
  async statusView(now = Date.now()): Promise<StatusJson> {
    const { status, lease } = await readStatus(this.store, now);
    return statusJson(status, lease, now);
  }

  /**
   * Cancels one job: a waiting one (pending, failed, scheduled) at once; a running one by an order
   * to its worker (`signal` to its process group, SIGKILL after `grace`), returned still
   * processing with cancel_signal set. Throws not_found, or conflict for a finished job.
   */
  async cancel(id: string, options: CancelOptions = {}): Promise<Job> {
    const { done, refused } = await this.cancelJobs([id], options);
    const refusal = refused[0];
    if (refusal) throw new QueueError(refusal.code, refusal.error);
    return done[0] as Job;
  }

  /**
   * Cancels each of `ids` on its own (see cancel). Bad options throw "invalid" before any job is
   * touched; unknown and finished jobs are refused, the others cancelled.
   */
  async cancelJobs(ids: readonly string[], options: CancelOptions = {}): Promise<CancelJobsResult> {
    return cancelJobs(this.store, await this.config(), ids, options);
  }

  /**
   * Deletes jobs that are not running, with their attempts and output; each id on its own (see
   * Store.deleteJobs). A running job is refused ("cancel it first"), an unknown id too.
   */
  async deleteJobs(ids: string[]): Promise<JobsActed> {
    return this.store.deleteJobs(idList(ids));
  }

  /** Puts finished jobs back to pending, attempts reset, history kept; refuses the others, saying why. */
  async retryJobs(ids: string[]): Promise<JobsActed> {
    const result = await this.store.retryJobs(idList(ids), Date.now());
    if (result.done.length > 0) this.store.notify();
    return result;
  }

  // ---- attempts and output

  /** The job's dependencies and dependents, with their states (a bounded number of each). */
  async links(id: string): Promise<JobLinks> {
    return this.store.jobLinks(id, LINKS_SHOWN);
  }

  async attempts(id: string): Promise<Attempt[]> {
    return jobAttempts(this.store, id);
  }

  /**
   * Output of one attempt (default: the latest). With `from`, only what was written after the
   * first `from` bytes (see Store.getOutput): a follower reads on instead of reading it all again.
   */
  async output(id: string, options: OutputRequest = {}): Promise<AttemptOutput & { attempt: number }> {
    return attemptOutput(this.store, id, options);
  }

  // ---- dead letter queue

  async retry(id: string): Promise<Job> {
    const job = await this.store.retryDead(id, Date.now());
    this.store.notify();
    return job;
  }

  async retryAllDead(): Promise<number> {
    const count = await this.store.retryAllDead(Date.now());
    if (count > 0) this.store.notify();
    return count;
  }

  // ---- config

  async config(): Promise<Config> {
    return configFromStored(await this.store.getSettings());
  }

  /** Validates and stores one setting; returns the value as stored. */
  async setConfig(key: string, value: unknown): Promise<number | string> {
    const { parseConfigValue } = await import("./config-input.js");
    const parsed = parseConfigValue(key, value);
    await this.store.setSetting(key, String(parsed));
    return parsed;
  }

  // ---- retention

  /** Prunes finished jobs and output now, by retention or `olderThan` (or counts: dryRun). */
  async prune(request: PruneRequest = {}): Promise<PruneResult[]> {
    return pruneNow(this.store, await this.config(), request);
  }

  // ---- workers

  async workers(): Promise<WorkerInfo[]> {
    return this.store.listWorkers();
  }

  /** `worker list --json`, `GET /api/workers` and the live feed: each worker with its status. */
  async workerViews(now = Date.now()): Promise<WorkerJson[]> {
    const [workers, config] = await Promise.all([this.workers(), this.config()]);
    return workers.map((worker) => workerJson(worker, leaseMs(config), now));
  }

  /** Asks every worker (or one) to drain, or to stop at once; returns how many were asked. */
  async stopWorkers(mode: "drain" | "now" = "drain", workerId?: string): Promise<number> {
    const count = await this.store.requestStop(mode, workerId);
    if (workerId !== undefined && count === 0) throw notFound("worker", workerId);
    this.store.notify();
    return count;
  }

  // ---- metrics

  /** The figures of every queue, or of one (validated; a queue no job names has zeros). */
  async metrics(queue?: string | null): Promise<Metrics> {
    return this.store.metrics(Date.now(), metricsQueue(queue));
  }

  /** Finished runs per bucket, of every queue or of one. */
  async throughput(bucketSeconds = 60, buckets = 60, queue?: string | null): Promise<ThroughputPoint[]> {
    return this.store.throughput(Date.now(), bucketSeconds * 1000, buckets, metricsQueue(queue));
  }

  /** Runs started, completed, failed (by outcome) and interrupted, and moves to the DLQ, ever. */
  async runCounts(): Promise<RunCounts> {
    return runCounts(await this.store.runTotals());
  }

  /** The same counts per queue, for each queue that has any. */
  async runCountsByQueue(): Promise<{ queue: string; counts: RunCounts }[]> {
    const byQueue = await this.store.runTotalsByQueue();
    return byQueue.map(({ queue, totals }) => ({ queue, counts: runCounts(totals) }));
  }

  /** Walks the runs finished from `since` on, each once (see FinishedRunFeed). */
  finishedRunFeed(since = Date.now()): FinishedRunFeed {
    return new FinishedRunFeed((after, until, limit) => this.store.finishedAttempts(after, until, limit), since);
  }
}

/** The queue metrics are asked for: null for every queue, else a valid name. */
function metricsQueue(queue: string | null | undefined): string | null {
  return queue === undefined || queue === null ? null : parseQueueName(queue);
}
