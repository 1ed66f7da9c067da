/**
 * Retention benchmarks (`node dist/bench/run.js retention`), on SQLite and, when a server answers,
 * PostgreSQL:
 * - 100,000 finished jobs older than their retention are pruned by a running WorkerPool (8 slots,
 *   no-op executor) while it claims: its claim + complete rate while it prunes, against the same
 *   pool on the same data with retention off (target >= 80 %).
 * - A soak: jobs streamed through a pool with retention set to a minute; the store's size and the
 *   rate over time (SQLite: the file and its WAL; PostgreSQL: the schema's relations).
 */
import { statSync } from "node:fs";
import { Queue } from "../src/core/queue.js";
import type { Store } from "../src/core/store.js";
import type { NewJob } from "../src/core/types.js";
import { PostgresStore } from "../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { WorkerPool } from "../src/worker/pool.js";
import { PG_URL, waitFor } from "../test/helpers/env.js";
import { dropSchema, pgQuery, uniqueSchema } from "../test/helpers/pg.js";
import { fillJobs, noopExecutor, row, sqliteTarget, type BenchRow } from "./lib.js";

const log = (msg: string) => process.stderr.write(`[bench retention] ${msg}\n`);
const DAY = 86_400_000;
const OLD_JOBS = Number(process.env.QUEUECTL_BENCH_OLD ?? 100_000);

interface Target {
  engine: "sqlite" | "postgres";
  store: Store;
  /** Bytes the store takes on disk now, and how they split (SQLite: the file and its WAL). */
  size: () => Promise<{ bytes: number; parts: string }>;
  cleanup: () => Promise<void>;
}

async function sqlite(): Promise<Target> {
  const t = sqliteTarget("queuectl-bench-retention-");
  const store = SqliteStore.open(t.db);
  await store.migrate();
  const fileSize = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  return {
    engine: "sqlite",
    store,
    size: async () => {
      const [file, wal] = [fileSize(t.db), fileSize(`${t.db}-wal`)];
      return { bytes: file + wal, parts: `file ${(file / 1048576).toFixed(0)} + WAL ${(wal / 1048576).toFixed(0)}` };
    },
    cleanup: async () => {
      await store.close();
      t.cleanup();
    },
  };
}

async function postgres(): Promise<Target> {
  const schema = uniqueSchema("qctl_bench_retention_");
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const store = await PostgresStore.connect(url.toString());
  await store.migrate();
  return {
    engine: "postgres",
    store,
    size: async () => {
      const { rows } = await pgQuery(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
        [schema],
      );
      const bytes = Number((rows[0] as { n: string }).n);
      return { bytes, parts: "tables and indexes" };
    },
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

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
  make: () => Promise<Target>,
  pending: number,
  prune: boolean,
  window?: { from: number; to: number },
): Promise<{ rate: number; window: { from: number; to: number }; batches: number; batchMs: number; left: number }> {
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
      left,
    };
  } finally {
    await t.cleanup();
  }
}

async function pruneWhileClaiming(make: () => Promise<Target>, engine: string, pending: number): Promise<BenchRow[]> {
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
      `WorkerPool 8 slots, no-op executor: ${pruning.rate.toFixed(0)}/s while pruning vs ${plain.rate.toFixed(0)}/s without, over the same ${seconds.toFixed(1)} s window; ${pruning.batches} batches of <= 500, ${pruning.batchMs.toFixed(1)} ms each on average${ranOut}`,
    ),
  ];
}

/** Jobs streamed through a pool with retention-completed 60 s and retention-output 30 s. */
async function soak(make: () => Promise<Target>, engine: string, total: number, capMs: number): Promise<BenchRow[]> {
  const t = await make();
  const rows: BenchRow[] = [];
  try {
    const queue = new Queue(t.store);
    await queue.setConfig("retention-completed", "60");
    await queue.setConfig("retention-output", "30");
    const pool = new WorkerPool(queue, { slots: 8, executor: noopExecutor, host: "bench" });
    const t0 = performance.now();
    let fed = 0;
    await fillJobs(t.store, 20_000);
    fed += 20_000;
    await pool.start();
    const samples: { s: number; runs: number; stored: number; bytes: number; parts: string }[] = [];
    let nextSample = 0;
    for (;;) {
      const elapsed = performance.now() - t0;
      const counts = await t.store.countJobs();
      const runs = (await t.store.runTotals()).started;
      if (elapsed >= nextSample) {
        const stored = Object.values(counts).reduce((a, b) => a + b, 0);
        samples.push({ s: Math.round(elapsed / 1000), runs, stored, ...(await t.size()) });
        log(`${engine} soak: ${JSON.stringify(samples.at(-1))}`);
        nextSample += 15_000;
      }
      if (runs >= total || elapsed > capMs) break;
      if (counts.pending < 10_000 && fed < total) {
        await fillJobs(t.store, 10_000);
        fed += 10_000;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await pool.stop("now");
    const last = samples.at(-1)!;
    const rateOf = (a: (typeof samples)[number], b: (typeof samples)[number]) => (b.runs - a.runs) / (b.s - a.s);
    const firstRate = samples.length > 2 ? rateOf(samples[0]!, samples[1]!) : 0;
    const lastRate = samples.length > 2 ? rateOf(samples.at(-2)!, last) : 0;
    const mb = (b: number) => (b / 1048576).toFixed(0);
    const maxBytes = Math.max(...samples.map((x) => x.bytes));
    rows.push(
      row(
        `${engine} soak: ${last.runs} jobs in ${last.s} s, retention 60 s: largest store`,
        maxBytes / 1048576,
        "MB",
        "",
        `size over time (s: MB [${last.parts.replace(/\d+/g, "MB")}], jobs stored, jobs run): ${samples.map((x) => `${x.s}: ${mb(x.bytes)} [${x.parts}], ${x.stored}, ${x.runs}`).join("; ")}`,
      ),
      row(
        `${engine} soak: rate at the end / at the start`,
        firstRate ? lastRate / firstRate : 0,
        "x",
        "",
        `${firstRate.toFixed(0)}/s in the first 15 s, ${lastRate.toFixed(0)}/s in the last`,
      ),
    );
  } finally {
    await t.cleanup();
  }
  return rows;
}

export async function runRetentionBenches(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const soakJobs = Number(process.env.QUEUECTL_BENCH_SOAK ?? 1_000_000);
  const soakCapMs = Number(process.env.QUEUECTL_BENCH_SOAK_SECONDS ?? 240) * 1000;
  // e.g. QUEUECTL_BENCH_RETENTION="sqlite-prune postgres-soak" runs only those parts.
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
    pruneWhileClaiming(sqlite, "sqlite", Number(process.env.QUEUECTL_BENCH_READY ?? 150_000)),
  );
  await run("sqlite-soak", () => soak(sqlite, "sqlite", soakJobs, soakCapMs));
  const reachable = await pgQuery("SELECT 1").then(
    () => true,
    () => false,
  );
  if (!reachable) {
    log("PostgreSQL not reachable: its retention benchmarks skipped");
    return rows;
  }
  const ready = Number(process.env.QUEUECTL_BENCH_READY_PG ?? 60_000);
  await run("postgres-prune", () => pruneWhileClaiming(postgres, "postgres", ready));
  await run("postgres-soak", () => soak(postgres, "postgres", soakJobs, soakCapMs));
  return rows;
}
