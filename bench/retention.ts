/**
 * Retention benchmarks (`node dist/bench/run.js retention`), on SQLite and, when a server answers,
 * PostgreSQL:
 * - 100,000 finished jobs older than their retention are pruned by a running WorkerPool (8 slots,
 *   no-op executor) while it claims: its claim + complete rate while it prunes, against the same
 *   pool on the same data with retention off (target >= 80 %).
 * The soak with retention (a million jobs, the store's size over time) is bench/soak.ts.
 */
import { Queue } from "../src/core/queue.js";
import type { Store } from "../src/core/store.js";
import type { NewJob } from "../src/core/types.js";
import { WorkerPool } from "../src/worker/pool.js";
import { waitFor } from "../test/helpers/env.js";
import { fillJobs, noopExecutor, row, type BenchRow } from "./lib.js";
import { postgresBenchStore, postgresReachable, sqliteBenchStore, type BenchStore } from "./stores.js";

const log = (msg: string) => process.stderr.write(`[bench retention] ${msg}\n`);
const DAY = 86_400_000;
const OLD_JOBS = Number(process.env.QUEUECTL_BENCH_OLD ?? 100_000);

/** `n` jobs finished 30 days ago, each with 200 bytes of output, `batch` per transaction. */
async function addOldFinished(store: Store, n: number, batch = 1000): Promise<void> {
  const old = Date.now() - 30 * DAY;
  const out = { data: Buffer.alloc(200, "o"), total_bytes: 200, truncated: false };
  const none = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
  for (let done = 0; done < n; done += batch) {
    const size = Math.min(batch, n - done);
    const jobs: NewJob[] = Array.from({ length: size }, (_, i) => ({
      id: `old-${done + i}`,
      command: "true",
      priority: 5,
      max_retries: 0,
      timeout: null,
      run_at: old,
      created_at: old,
    }));
    await store.insertJobs(jobs);
    const claimed = await store.claimJobs("old", size, old, 60_000);
    await store.finishRuns(
      claimed.map((c) => ({
        job_id: c.job.id,
        attempt: c.attempt,
        worker_id: "old",
        outcome: "completed" as const,
        finished_at: old + 1,
        duration_ms: 1,
        exit_code: 0,
        signal: null,
        error: null,
        stdout: out,
        stderr: none,
        next: { state: "completed" as const },
      })),
    );
  }
}

/**
 * The store as a running pool sees it, with the time of every recorded run and of every prune
 * batch noted (the pool cannot tell the difference).
 */
function watched(store: Store) {
  const finishes: number[] = [];
  const batches: { start: number; end: number; n: number }[] = [];
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      if (key === "finishAndClaim" || key === "finishRuns") {
        return async (...args: unknown[]) => {
          const result: unknown = await (Reflect.get(target, key) as (...a: unknown[]) => Promise<unknown>).apply(
            target,
            args,
          );
          const now = performance.now();
          for (let i = 0; i < (args[0] as unknown[]).length; i++) finishes.push(now);
          return result;
        };
      }
      if (key === "pruneJobs") {
        return async (...args: Parameters<Store["pruneJobs"]>) => {
          const start = performance.now();
          const n = await target.pruneJobs(...args);
          batches.push({ start, end: performance.now(), n });
          return n;
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const rate = (from: number, to: number) => finishes.filter((t) => t >= from && t <= to).length / ((to - from) / 1000);
  return { proxy, finishes, batches, rate };
}

/**
 * One pool on a store with OLD_JOBS old finished jobs and `pending` ready ones. With `prune`, runs
 * until the pool has pruned them all and returns the rate within the pruning window (offsets from
 * the pool's start); without, runs for `window` and returns the rate within it.
 */
async function poolRun(
  make: () => Promise<BenchStore>,
  pending: number,
  prune: boolean,
  window?: { from: number; to: number },
): Promise<{
  rate: number;
  window: { from: number; to: number };
  batches: number;
  batchMs: number;
  batchRows: number;
  left: number;
}> {
  const t = await make();
  try {
    await addOldFinished(t.store, OLD_JOBS);
    await fillJobs(t.store, pending);
    const queue = new Queue(t.store);
    await queue.setConfig("retention-completed", prune ? "7d" : "0");
    await queue.setConfig("retention-output", "0");
    const w = watched(t.store);
    const pool = new WorkerPool(new Queue(w.proxy), { slots: 8, executor: noopExecutor, host: "bench" });
    const t0 = performance.now();
    await pool.start();
    if (prune) {
      await waitFor("the old jobs pruned", async () => (await t.store.getJob(`old-${OLD_JOBS - 1}`)) === null, {
        timeoutMs: 600_000,
        intervalMs: 500,
      });
    } else {
      await new Promise((resolve) => setTimeout(resolve, window!.to - (performance.now() - t0) + 200));
    }
    await pool.stop("now");
    const left = (await t.store.countJobs()).pending;
    const span = prune
      ? { from: w.batches[0]!.start - t0, to: w.batches.at(-1)!.end - t0 }
      : (window as { from: number; to: number });
    const total = w.batches.reduce((sum, b) => sum + (b.end - b.start), 0);
    return {
      rate: w.rate(t0 + span.from, t0 + span.to),
      window: span,
      batches: w.batches.length,
      batchMs: w.batches.length ? total / w.batches.length : 0,
      batchRows: w.batches.length ? w.batches.reduce((sum, b) => sum + b.n, 0) / w.batches.length : 0,
      left,
    };
  } finally {
    await t.cleanup();
  }
}

async function pruneWhileClaiming(
  make: () => Promise<BenchStore>,
  engine: string,
  pending: number,
): Promise<BenchRow[]> {
  log(`${engine}: pool pruning ${OLD_JOBS} old jobs while claiming (${pending} ready jobs)`);
  const pruning = await poolRun(make, pending, true);
  log(`${engine}: the same pool without retention, same window`);
  const plain = await poolRun(make, pending, false, pruning.window);
  const seconds = (pruning.window.to - pruning.window.from) / 1000;
  const ranOut = pruning.left === 0 || plain.left === 0 ? " (the pool ran out of ready jobs: figure too low)" : "";
  return [
    row(
      `${engine}: claim+complete rate while pruning ${OLD_JOBS} old jobs, ratio to without`,
      pruning.rate / plain.rate,
      "x",
      ">= 0.8",
      `WorkerPool 8 slots, no-op executor: ${pruning.rate.toFixed(0)}/s while pruning vs ${plain.rate.toFixed(0)}/s without, over the same ${seconds.toFixed(1)} s window; ${pruning.batches} batches of ${pruning.batchRows.toFixed(0)} jobs and ${pruning.batchMs.toFixed(1)} ms on average${ranOut}`,
    ),
  ];
}

export async function runRetentionBenches(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // e.g. QUEUECTL_BENCH_RETENTION="postgres-prune" runs only that part.
  const parts = process.env.QUEUECTL_BENCH_RETENTION?.split(/[\s,]+/);
  const wanted = (part: string) => !parts || parts.includes(part);
  /** A part's rows, logged as soon as they are known; a part that fails is reported, not fatal. */
  const run = async (part: string, bench: () => Promise<BenchRow[]>) => {
    if (!wanted(part)) return;
    try {
      const got = await bench();
      for (const r of got) log(`${r.figure}: ${r.value.toFixed(3)} ${r.unit} (${r.detail ?? ""})`);
      rows.push(...got);
    } catch (error) {
      log(`${part} failed: ${(error as Error).message}`);
      rows.push(row(`${part}: failed (${(error as Error).message})`, 0, "", ""));
    }
  };
  await run("sqlite-prune", () =>
    pruneWhileClaiming(sqliteBenchStore, "sqlite", Number(process.env.QUEUECTL_BENCH_READY ?? 150_000)),
  );
  if (!(await postgresReachable())) {
    log("PostgreSQL not reachable: its retention benchmarks skipped");
    return rows;
  }
  const ready = Number(process.env.QUEUECTL_BENCH_READY_PG ?? 60_000);
  await run("postgres-prune", () => pruneWhileClaiming(postgresBenchStore, "postgres", ready));
  return rows;
}
