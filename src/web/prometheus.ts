import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Queue } from "../core/queue.js";
import { FAILED_OUTCOMES } from "../core/metrics.js";
import { pickupLatencyMs, runResult, type FinishedRunFeed } from "../core/run-stats.js";
import { DEFAULT_QUEUE } from "../core/queues.js";
import { JOB_STATES } from "../core/types.js";

/** The queue of the series when no job names one yet; and of the oldest ready job (all queues). */
const QUEUE = DEFAULT_QUEUE;
const SECONDS = 1000;
/** Shell jobs take from milliseconds to hours. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Finished runs fed to the histograms per scrape at most: a scrape after a burst stays cheap. */
export const RUNS_PER_SCRAPE = 20_000;

/**
 * The queue in the Prometheus text format, in a registry of its own (several servers in one
 * process, or a library user's own prom-client, never collide). Gauges and counters are read from
 * the store at each scrape, so every scraper of a queue agrees; the histograms observe the runs
 * finished since this process started, read through a cursor. Job and run series carry their
 * job's named queue: one label value per queue ever named (users name queues, so keep them few).
 */
export class QueueMetrics {
  readonly registry = new Registry();
  private readonly jobs: Gauge<"queue" | "state">;
  private readonly oldestReady: Gauge<"queue">;
  private readonly workers: Gauge;
  private readonly slots: Gauge;
  private readonly busySlots: Gauge;
  private readonly started: Counter<"queue">;
  private readonly completed: Counter<"queue">;
  private readonly failed: Counter<"queue" | "outcome">;
  private readonly dead: Counter<"queue">;
  private readonly cancelled: Counter<"queue">;
  private readonly duration: Histogram<"queue" | "outcome">;
  private readonly pickup: Histogram<"queue">;
  /** Queues whose histogram series exist (made at zero when first seen). */
  private readonly observed = new Set<string>();

  constructor(
    private readonly queue: Queue,
    private readonly feed: FinishedRunFeed,
  ) {
    const registers = [this.registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.jobs = gauge("queuectl_jobs", "Jobs in each state.", ["queue", "state"]);
    this.oldestReady = gauge(
      "queuectl_oldest_ready_job_age_seconds",
      "How long the longest-waiting ready job (pending or failed, due) has been due; 0 when none is.",
      ["queue"],
    );
    this.workers = gauge("queuectl_workers_live", "Workers whose heartbeat is within the lease.", []);
    this.slots = gauge("queuectl_worker_slots", "Concurrent job slots of the live workers.", []);
    this.busySlots = gauge("queuectl_worker_slots_busy", "Slots of the live workers running a job.", []);
    this.started = counter("queuectl_runs_started_total", "Runs started (jobs claimed by a worker).", ["queue"]);
    this.completed = counter("queuectl_runs_completed_total", "Runs that exited 0.", ["queue"]);
    this.failed = counter(
      "queuectl_runs_failed_total",
      "Failed runs, by outcome: failed (non-zero exit or signal), timeout, start_error, lost (worker gone).",
      ["queue", "outcome"],
    );
    this.dead = counter("queuectl_jobs_dead_total", "Moves of a job to the dead letter queue.", ["queue"]);
    this.cancelled = counter(
      "queuectl_runs_cancelled_total",
      "Runs stopped by job cancel (neither completed nor failed; a job cancelled before it ran has no run).",
      ["queue"],
    );
    this.duration = new Histogram({
      name: "queuectl_run_duration_seconds",
      help: "Duration of the runs finished since this process started, by result (completed or failed).",
      labelNames: ["queue", "outcome"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.pickup = new Histogram({
      name: "queuectl_job_pickup_latency_seconds",
      help: "From when a run was due (run_at, or enqueue if later) to its start; runs finished since this process started.",
      labelNames: ["queue"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the store and renders the scrape. */
  async scrape(now = Date.now()): Promise<string> {
    const [status, runs, queues] = await Promise.all([
      this.queue.status(now),
      this.queue.runCountsByQueue(),
      this.queue.queues(),
    ]);
    // Every queue a job, a setting or a run total names; `default` while there is none.
    const names = [...new Set([...queues.map((q) => q.name), ...runs.map((r) => r.queue)])];
    if (names.length === 0) names.push(QUEUE);
    // Jobs per named queue and state (a queue that is gone drops its series).
    this.jobs.reset();
    const counted = new Map(queues.map((q) => [q.name, q.counts]));
    for (const name of names)
      for (const state of JOB_STATES) this.jobs.set({ queue: name, state }, counted.get(name)?.[state] ?? 0);
    this.oldestReady.set({ queue: QUEUE }, (status.health.oldest_ready_ms ?? 0) / SECONDS);
    this.workers.set(status.health.live_workers);
    this.slots.set(status.health.slots);
    this.busySlots.set(status.health.busy_slots);
    // Totals come whole from the store: set, not added to; a queue without runs yet is at zero.
    const totals = new Map(runs.map((r) => [r.queue, r.counts]));
    for (const counter of [this.started, this.completed, this.dead, this.cancelled, this.failed]) counter.reset();
    for (const name of names) {
      const counts = totals.get(name);
      const queue = { queue: name };
      this.started.inc(queue, counts?.started ?? 0);
      this.completed.inc(queue, counts?.completed ?? 0);
      this.dead.inc(queue, counts?.dead ?? 0);
      this.cancelled.inc(queue, counts?.cancelled ?? 0);
      for (const outcome of FAILED_OUTCOMES) this.failed.inc({ ...queue, outcome }, counts?.failed[outcome] ?? 0);
      this.observe(name);
    }

    await this.feed.read(
      RUNS_PER_SCRAPE,
      (run) => {
        this.observe(run.queue);
        const result = runResult(run.outcome);
        if (result !== null) this.duration.observe({ queue: run.queue, outcome: result }, run.duration_ms / SECONDS);
        const latency = pickupLatencyMs(run);
        if (latency !== null) this.pickup.observe({ queue: run.queue }, latency / SECONDS);
      },
      now,
    );
    return this.registry.metrics();
  }

  /** Makes a queue's histogram series, at zero, the first time it is seen: they exist before its first run. */
  private observe(queue: string): void {
    if (this.observed.has(queue)) return;
    this.observed.add(queue);
    for (const outcome of ["completed", "failed"]) this.duration.zero({ queue, outcome });
    this.pickup.zero({ queue });
  }
}
