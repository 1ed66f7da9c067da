/**
 * Benchmark building blocks, engine-agnostic: each takes a store location (`db`: a SQLite file or a
 * postgres:// URL) or an open Store, so bench/sqlite.ts and bench/postgres.ts share them.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Queue } from "../src/open.js";
import { newJobId } from "../src/core/job-input.js";
import type { ClaimedJob, NewJob } from "../src/core/types.js";
import type { ClaimRequest, FinishedRun, Store } from "../src/core/store.js";
import type { Executor } from "../src/worker/executor.js";
import { WorkerPool } from "../src/worker/pool.js";
import { BIN, cliEnv, stopProcess } from "../test/helpers/cli.js";
import { tempHome, waitFor } from "../test/helpers/env.js";

export interface BenchRow {
  figure: string;
  value: number;
  unit: string;
  /** e.g. ">= 0.8", "<= 50"; empty when informational. */
  target: string;
  pass: boolean | null;
  detail?: string;
}

export function row(figure: string, value: number, unit: string, target = "", detail?: string): BenchRow {
  let pass: boolean | null = null;
  const m = /^(>=|<=)\s*([\d.]+)/.exec(target);
  if (m) pass = m[1] === ">=" ? value >= Number(m[2]) : value <= Number(m[2]);
  return { figure, value, unit, target, pass, ...(detail ? { detail } : {}) };
}

/** A place to run one bench against: a fresh, empty store and the env that selects it. */
export interface BenchTarget {
  db: string;
  env: Record<string, string>;
  cleanup: () => Promise<void> | void;
}

/** A fresh SQLite store in a temp QUEUECTL_HOME. */
export function sqliteTarget(prefix = "queuectl-bench-"): BenchTarget & { home: string } {
  const { home, db, cleanup } = tempHome(prefix);
  return { home, db, env: { QUEUECTL_HOME: home, QUEUECTL_DB: db }, cleanup };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs `queuectl args…` to completion: its wall time in ms and its stdout; throws unless it exits 0.
 * Synchronous, unlike the tests' runCli, so that nothing else runs in this process while it is timed
 * (and the figures stay comparable with the earlier runs in docs/benchmarks.md).
 */
export function cli(args: string[], env: Record<string, string>, input?: string) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: cliEnv(env),
    input: input ?? "",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`queuectl ${args.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return { ms, stdout: r.stdout };
}

/** `queuectl worker start --count N`, its stderr on ours (so a failing worker is seen). */
export function startWorker(count: number, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BIN, "worker", "start", "--count", String(count)], {
    env: cliEnv(env),
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** Stops a worker: SIGTERM (drain), SIGKILL if it has not exited 10 s later. */
export const stopWorker = (child: ChildProcess) => stopProcess(child, "SIGTERM", 10_000);

export const EMPTY = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };

/** What a no-op executor reports for a claimed job: completed, no output. */
export function completedRun(claim: ClaimedJob, workerId: string, finishedAt: number, durationMs: number): FinishedRun {
  return {
    job_id: claim.job.id,
    attempt: claim.attempt,
    worker_id: workerId,
    outcome: "completed",
    finished_at: finishedAt,
    duration_ms: durationMs,
    exit_code: 0,
    signal: null,
    error: null,
    stdout: EMPTY,
    stderr: EMPTY,
    next: { state: "completed" },
  };
}

// ---- 1. shell-job throughput vs a plain spawn loop

/** `n` spawns of `/bin/sh -c true` with piped stdout/stderr, `concurrency` at a time; jobs/s. */
export async function spawnLoopRate(n: number, concurrency: number): Promise<number> {
  let started = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", "true"], { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", () => {});
      child.stderr.on("data", () => {});
      child.on("error", reject);
      child.on("close", () => resolve());
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < n) {
        started++;
        await one();
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

/**
 * `n` jobs `true` run by one `queuectl worker start --count concurrency`; jobs/s over the span from
 * the first job's start to the last job's end (the worker's own start-up is not counted).
 */
export async function queueShellRate(
  target: BenchTarget,
  n: number,
  concurrency: number,
): Promise<{ rate: number; wallRate: number }> {
  const file = join(tmpdir(), `queuectl-bench-${process.pid}-${concurrency}.jsonl`);
  writeFileSync(file, Array.from({ length: n }, () => '{"command":"true"}').join("\n"));
  cli(["enqueue", "--file", file], target.env);
  rmSync(file, { force: true });
  const queue = await Queue.open({ db: target.db });
  const t0 = Date.now();
  const worker = startWorker(concurrency, target.env);
  try {
    await waitFor(`${n} completed jobs`, async () => (await queue.counts()).completed >= n, {
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    const wall = Date.now() - t0;
    const { jobs } = await queue.list({ limit: 10_000 });
    const first = Math.min(...jobs.map((j) => j.started_at ?? Infinity));
    const last = Math.max(...jobs.map((j) => j.finished_at ?? 0));
    return { rate: n / ((last - first) / 1000), wallRate: n / (wall / 1000) };
  } finally {
    await stopWorker(worker);
    await queue.close();
  }
}

// ---- 2. queue overhead without processes

/** Inserts `n` pending `true` jobs (priorities 1..10) through the Store, `batch` per transaction. */
export async function fillJobs(store: Store, n: number, batch = 10_000, log?: (done: number) => void): Promise<void> {
  const now = Date.now() - 1000;
  for (let done = 0; done < n;) {
    const size = Math.min(batch, n - done);
    const jobs: NewJob[] = new Array(size);
    for (let i = 0; i < size; i++) {
      jobs[i] = {
        id: newJobId(),
        command: "true",
        priority: 1 + ((done + i) % 10),
        max_retries: 3,
        timeout: null,
        run_at: now,
        created_at: now,
      };
    }
    await store.insertJobs(jobs);
    done += size;
    log?.(done);
  }
}

/**
 * Claims and completes `n` jobs through the Store as a worker pool with a no-op executor would:
 * claim up to `batch` jobs, then record their runs (attempt rows + job state) in one finishRuns.
 * Returns jobs/s.
 */
export async function claimCompleteRate(store: Store, n: number, batch: number): Promise<number> {
  const workerId = `bench-${process.pid}-${batch}-${Date.now()}`;
  await store.registerWorker({ id: workerId, host: "bench", pid: process.pid, slots: batch, started_at: Date.now() });
  let done = 0;
  const t0 = performance.now();
  while (done < n) {
    const now = Date.now();
    const claimed = await store.claimJobs(workerId, Math.min(batch, n - done), now, 60_000);
    if (claimed.length === 0) throw new Error(`claimJobs returned nothing after ${done} of ${n} jobs`);
    const finished = Date.now();
    const runs = claimed.map((c) => completedRun(c, workerId, finished, finished - now));
    await store.finishRuns(runs);
    done += claimed.length;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await store.deregisterWorker(workerId);
  return rate;
}

/** Completes every job at once, with no output: the queue's own cost, without processes. */
export const noopExecutor: Executor = () => {
  const started = Date.now();
  return {
    result: Promise.resolve({
      outcome: "completed",
      exit_code: 0,
      signal: null,
      error: null,
      finished_at: started,
      duration_ms: 0,
      stdout: EMPTY,
      stderr: EMPTY,
    }),
    interrupt: () => {},
    output: () => EMPTY,
  };
};

/**
 * The real WorkerPool (`slots` slots, heartbeats and all) with the no-op executor, until it has
 * recorded `n` runs; jobs/s. The store must hold at least `n` ready jobs.
 */
export async function workerPoolRate(store: Store, n: number, slots: number, queues?: string[]): Promise<number> {
  let done: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (done = resolve));
  const counting = countingRuns(store, (recorded) => {
    if (recorded >= n) done();
  });
  const pool = new WorkerPool(new Queue(counting), { slots, executor: noopExecutor, host: "bench", queues });
  const t0 = performance.now();
  await pool.start();
  await allDone;
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.stop("drain");
  return rate;
}

/**
 * The store as a pool sees it, calling `counted` with the number of runs recorded so far each time
 * the pool records some: the pool's progress, without polling the database.
 */
export function countingRuns(store: Store, counted: (recorded: number) => void): Store {
  let recorded = 0;
  const add = (runs: FinishedRun[]) => {
    recorded += runs.length;
    counted(recorded);
  };
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "finishRuns") {
        return async (runs: FinishedRun[]) => {
          const refused = await target.finishRuns(runs);
          add(runs);
          return refused;
        };
      }
      if (key === "finishAndClaim") {
        return async (runs: FinishedRun[], claim: ClaimRequest) => {
          const claims = await target.finishAndClaim(runs, claim);
          add(runs);
          return claims;
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

// ---- 3. enqueue from a file, cold status

/** Wall ms of `queuectl enqueue --file F` with `n` jobs (the store already exists). */
export function enqueueFileMs(target: BenchTarget, n: number): number {
  cli(["status"], target.env); // create the store first: the figure is the enqueue, not the first-use setup
  const file = join(tmpdir(), `queuectl-bench-enqueue-${process.pid}.jsonl`);
  writeFileSync(
    file,
    Array.from({ length: n }, (_, i) => JSON.stringify({ command: `echo ${i}`, priority: 1 + (i % 10) })).join("\n") +
      "\n",
  );
  try {
    const { ms, stdout } = cli(["enqueue", "--file", file], target.env);
    const lines = stdout.trim().split("\n").length;
    if (lines !== n) throw new Error(`enqueue --file printed ${lines} ids, expected ${n}`);
    return ms;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Wall ms of fresh `queuectl status` processes: the first run and the median of `runs`. */
export function statusMs(env: Record<string, string>, runs = 5): { first: number; median: number } {
  const times = Array.from({ length: runs }, () => cli(["status"], env).ms);
  return { first: times[0]!, median: median(times) };
}

/** Wall ms of `node -e ''`: the floor of any CLI command's wall time on this machine. */
export function nodeStartMs(): number {
  const times = Array.from({ length: 3 }, () => {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", ""]);
    return performance.now() - t0;
  });
  return median(times);
}

// ---- 4. pickup latency, idle CPU

/**
 * Enqueue → start on an idle worker (`--count 1`), `samples` times: the attempt's started_at minus
 * the job's created_at. Also the idle worker's CPU use (Linux /proc) over `idleMs`.
 */
export async function pickupLatency(
  target: BenchTarget,
  samples = 20,
  idleMs = 3000,
): Promise<{ latencies: number[]; idleCpuPercent: number | null }> {
  const queue = await Queue.open({ db: target.db });
  const worker = startWorker(1, target.env);
  try {
    await waitFor("the worker to register", async () => (await queue.workers()).some((w) => w.pid === worker.pid), {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
    await sleep(300);
    const idleCpuPercent = await cpuPercent(worker.pid!, idleMs);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const job = await queue.enqueue({ command: "true" });
      const started = await waitFor(`job ${job.id} to start`, async () => (await queue.get(job.id)).started_at, {
        timeoutMs: 10_000,
        intervalMs: 2,
      });
      latencies.push(started - job.created_at);
      await waitFor(`job ${job.id} to finish`, async () => (await queue.get(job.id)).state === "completed", {
        timeoutMs: 10_000,
        intervalMs: 5,
      });
      await sleep(100 + Math.random() * 100); // let the worker go idle again
    }
    return { latencies, idleCpuPercent };
  } finally {
    await stopWorker(worker);
    await queue.close();
  }
}

/** CPU time used by `pid` over `ms`, as a percentage of one core (Linux), or null. */
async function cpuPercent(pid: number, ms: number): Promise<number | null> {
  const ticks = () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
    } catch {
      return null;
    }
  };
  const a = ticks();
  await sleep(ms);
  const b = ticks();
  if (a === null || b === null) return null;
  const hz = 100; // USER_HZ on Linux
  return ((b - a) / hz / (ms / 1000)) * 100;
}

// ---- output

export function machine() {
  return { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? "?", platform: process.platform };
}

/** Writes bench/results/<engine>.json: the rows, when, on what machine, and any `extra` (e.g. samples). */
export function saveResults(engine: string, rows: BenchRow[], extra: Record<string, unknown> = {}): void {
  const dir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${engine}.json`);
  writeFileSync(
    file,
    JSON.stringify({ engine, at: new Date().toISOString(), machine: machine(), rows, ...extra }, null, 2) + "\n",
  );
  console.log(`(written to ${file})`);
}

export function printTable(title: string, rows: BenchRow[]): void {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(v < 1 ? 3 : 2));
  const lines = rows.map((r) => [
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.target || "-",
    r.pass === null ? "info" : r.pass ? "PASS" : "FAIL",
    r.detail ?? "",
  ]);
  const head = ["figure", "value", "target", "result", "detail"];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(line(l));
}
