/**
 * Named queues on the claim path (`node dist/bench/run.js queues`): on one store holding `stored`
 * jobs — half of them in queue `p`, enqueued first, the rest spread over `a` and `b` — the real
 * WorkerPool (8 slots, no-op executor) claims and completes 2,000 jobs, 3 times, median:
 *   1. no queue paused or limited, the worker serves all queues (the plain claim);
 *   2. 2 queues, one limited: `a` at concurrency 4, the worker serves `a,b`;
 *   3. half the stored jobs in a paused queue: `p` paused, the worker serves all queues.
 * Each restricted figure is compared with figure 1 of the same run.
 */
import { newJobId } from "../src/core/job-input.js";
import type { Store } from "../src/core/store.js";
import type { NewJob } from "../src/core/types.js";
import { PostgresStore } from "../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { dropSchema, uniqueSchema } from "../test/helpers/pg.js";
import { PG_URL } from "../test/helpers/env.js";
import { median, row, sqliteTarget, workerPoolRate, type BenchRow } from "./lib.js";

const log = (line: string) => console.error(`[bench queues] ${line}`);
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");

async function fill(store: Store, stored: number): Promise<void> {
  const now = Date.now() - 1000;
  const batch = 10_000;
  for (let done = 0; done < stored;) {
    const size = Math.min(batch, stored - done);
    const jobs: NewJob[] = [];
    for (let i = done; i < done + size; i++) {
      const queue = i < stored / 2 ? "p" : i % 2 === 0 ? "a" : "b";
      jobs.push({
        id: newJobId(),
        command: "true",
        priority: 5,
        max_retries: 3,
        timeout: null,
        run_at: now,
        created_at: now,
        queue,
      });
    }
    await store.insertJobs(jobs);
    done += size;
    if (done % 200_000 === 0) log(`filled ${done}/${stored}`);
  }
}

async function rates(store: Store, queues?: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) out.push(await workerPoolRate(store, 2000, 8, queues));
  return out;
}

/** The three figures and their ratios on one store (filled here). */
export async function queueRows(store: Store, engine: string, stored: number): Promise<BenchRow[]> {
  const t0 = performance.now();
  await fill(store, stored);
  log(`${engine}: filled ${stored} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await rates(store); // warm-up: statements prepared, code compiled
  const where = `${engine}, ${stored.toLocaleString("en-US")} stored`;
  const plain = await rates(store);
  log(`${engine} plain: ${list(plain)}`);
  await store.setQueue("a", { concurrency: 4 });
  const limited = await rates(store, ["a", "b"]);
  log(`${engine} a limited, serving a,b: ${list(limited)}`);
  await store.setQueue("a", { concurrency: null });
  await store.setQueue("p", { paused: true });
  const paused = await rates(store);
  log(`${engine} p paused (half the jobs): ${list(paused)}`);
  const base = median(plain);
  return [
    row(
      `${where}: claim+complete, no queue restricted (WorkerPool, 8 slots)`,
      base,
      "jobs/s",
      "",
      `median of ${list(plain)}`,
    ),
    row(
      `${where}: 2 queues, one at concurrency 4, worker --queue a,b`,
      median(limited),
      "jobs/s",
      "",
      `median of ${list(limited)}`,
    ),
    row(`${where}: limited / unrestricted`, median(limited) / base, "x", ">= 0.9"),
    row(`${where}: half the stored jobs in a paused queue`, median(paused), "jobs/s", "", `median of ${list(paused)}`),
    row(`${where}: paused half / unrestricted`, median(paused) / base, "x", ">= 0.9"),
  ];
}

export async function runQueueBenches(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const big = Number(process.env.QUEUECTL_BENCH_BIG ?? 1_000_000);
  const target = sqliteTarget();
  try {
    const store = SqliteStore.open(target.db);
    await store.migrate();
    rows.push(...(await queueRows(store, "SQLite", big)));
    await store.close();
  } finally {
    await target.cleanup();
  }
  const schema = uniqueSchema("qctl_bench_queues_");
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  try {
    const store = await PostgresStore.connect(url.toString());
    try {
      await store.migrate();
      rows.push(...(await queueRows(store, "PostgreSQL", Number(process.env.QUEUECTL_BENCH_PG_STORED ?? 100_000))));
    } finally {
      await store.close();
    }
  } catch (error) {
    log(`PostgreSQL skipped: ${(error as Error).message}`);
  } finally {
    await dropSchema(schema).catch(() => {});
  }
  return rows;
}
