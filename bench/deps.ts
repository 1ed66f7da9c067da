/**
 * Dependencies on the finish path (`node dist/bench/run.js deps`): a chain j0 → j1 → … of N jobs
 * (each waits for the one before), walked by claiming the one ready job and finishing it, which
 * unblocks the next. The time of each finish (with its unblock) is taken per step; the figure is
 * the median step at N = 10,000 against N = 100, on a fresh store each. O(1) per unblock: ≈ 1.
 * Also, as a control, the finish of jobs nobody waits for on the same store.
 */
import type { Store } from "../src/core/store.js";
import type { NewJob } from "../src/core/types.js";
import { PostgresStore } from "../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { dropSchema, uniqueSchema } from "../test/helpers/pg.js";
import { PG_URL } from "../test/helpers/env.js";
import { median, row, sqliteTarget, type BenchRow } from "./lib.js";

const log = (line: string) => console.error(`[bench deps] ${line}`);
const LEASE = 60_000;

function job(id: string, now: number, after?: string): NewJob {
  return {
    id,
    command: "true",
    priority: 5,
    max_retries: 0,
    timeout: null,
    run_at: now,
    created_at: now,
    ...(after ? { after: [after] } : {}),
  };
}

/** Median µs of the finish (completed, with the unblock of the next) along a chain of `n`. */
async function chainStep(store: Store, n: number, prefix: string): Promise<number> {
  const now = Date.now() - 1000;
  for (let from = 0; from < n; from += 5000) {
    const jobs: NewJob[] = [];
    for (let i = from; i < Math.min(n, from + 5000); i++)
      jobs.push(job(`${prefix}${i}`, now, i ? `${prefix}${i - 1}` : undefined));
    await store.insertJobs(jobs);
  }
  const steps: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Date.now();
    const [claimed] = await store.claimJobs("bench", 1, t, LEASE);
    if (claimed?.job.id !== `${prefix}${i}`) throw new Error(`step ${i}: claimed ${claimed?.job.id ?? "nothing"}`);
    const start = performance.now();
    await store.finishRuns([finishedOf(claimed.job.id, claimed.attempt, t)]);
    steps.push((performance.now() - start) * 1000);
  }
  return median(steps);
}

/** Median µs of the finish of `n` jobs that nobody waits for. */
async function plainStep(store: Store, n: number, prefix: string): Promise<number> {
  const now = Date.now() - 1000;
  await store.insertJobs(Array.from({ length: n }, (_, i) => job(`${prefix}${i}`, now)));
  const steps: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Date.now();
    const [claimed] = await store.claimJobs("bench", 1, t, LEASE);
    if (!claimed) throw new Error("nothing to claim");
    const start = performance.now();
    await store.finishRuns([finishedOf(claimed.job.id, claimed.attempt, t)]);
    steps.push((performance.now() - start) * 1000);
  }
  return median(steps);
}

function finishedOf(jobId: string, attempt: number, t: number) {
  const empty = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
  return {
    job_id: jobId,
    attempt,
    worker_id: "bench",
    outcome: "completed" as const,
    finished_at: t,
    duration_ms: 1,
    exit_code: 0,
    signal: null,
    error: null,
    stdout: empty,
    stderr: empty,
    next: { state: "completed" as const },
  };
}

async function engineRows(engine: string, open: () => Promise<{ store: Store; done: () => Promise<void> }>) {
  const measure = async (what: (store: Store) => Promise<number>) => {
    const { store, done } = await open();
    try {
      await store.registerWorker({ id: "bench", host: "bench", pid: process.pid, slots: 1, started_at: Date.now() });
      return await what(store);
    } finally {
      await done();
    }
  };
  const short = await measure((store) => chainStep(store, 100, "s"));
  const long = await measure((store) => chainStep(store, 10_000, "l"));
  const plain = await measure((store) => plainStep(store, 2000, "p"));
  log(
    `${engine}: chain 100 ${short.toFixed(1)} µs, chain 10,000 ${long.toFixed(1)} µs, no dependents ${plain.toFixed(1)} µs`,
  );
  return [
    row(`${engine}: finish + unblock, chain of 100 (median)`, Math.round(short), "µs"),
    row(`${engine}: finish + unblock, chain of 10,000 (median)`, Math.round(long), "µs"),
    row(`${engine}: unblock cost ratio 10,000 / 100`, Number((long / short).toFixed(2)), "x", "<= 1.5"),
    row(`${engine}: finish of a job nobody waits for (median)`, Math.round(plain), "µs"),
  ];
}

export async function runDepsBenches(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push(
    ...(await engineRows("SQLite", async () => {
      const target = sqliteTarget();
      const store = SqliteStore.open(target.db);
      await store.migrate();
      return {
        store,
        done: async () => {
          await store.close();
          await target.cleanup();
        },
      };
    })),
  );
  try {
    rows.push(
      ...(await engineRows("PostgreSQL", async () => {
        const schema = uniqueSchema("qctl_bench_deps_");
        const url = new URL(PG_URL);
        url.searchParams.set("schema", schema);
        const store = await PostgresStore.connect(url.toString());
        await store.migrate();
        return {
          store,
          done: async () => {
            await store.close();
            await dropSchema(schema).catch(() => {});
          },
        };
      })),
    );
  } catch (error) {
    log(`PostgreSQL skipped: ${(error as Error).message}`);
  }
  return rows;
}
