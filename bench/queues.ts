/**
 * Named queues on the claim path (`node dist/bench/run.js queues`): on one store holding `stored`
 * jobs — half of them in queue `p`, enqueued first, the rest spread over `a` and `b` — the real
 * WorkerPool (8 slots, no-op executor) claims and completes 6,000 jobs in each of three settings:
 *   1. no queue paused or limited, the worker serves all queues (the plain claim);
 *   2. 2 queues, one limited: `a` at concurrency 4, the worker serves `a,b`;
 *   3. half the stored jobs in a paused queue: `p` paused, the worker serves all queues.
 * The three take turns, round after round (QUEUECTL_BENCH_ROUNDS, default 5), and each restricted
 * figure is compared with the plain one of its own round; the ratio is the median of those. The
 * machine's speed drifts over a run (it swings by half within minutes on the 2-core VM): measured
 * in blocks, one setting after the other, the drift landed in the ratios. PostgreSQL holds 200,000
 * jobs so that the runs never empty a queue.
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

/**
 * Jobs per run: long enough that one SQLite checkpoint more or less, or one slow second of the
 * machine, does not decide a run (runs of 2,000 jobs swung from 5,000 to 14,000 jobs/s).
 */
const RUN = 6000;
const SLOTS = 8;

const ROUNDS = Number(process.env.QUEUECTL_BENCH_ROUNDS ?? 5);

/**
 * Each setting takes RUN jobs a round from its half of the store (the plain claim from `p`, the
 * other two from `a` and `b`): a store smaller than this would leave a run waiting for ever.
 */
const NEEDED = 4 * (ROUNDS + 1) * RUN;

/** The ratio of each round's figure to the plain figure of the same round. */
const perRound = (xs: number[], plain: number[]) => xs.map((x, i) => x / (plain[i] ?? Number.NaN));
const ratios = (xs: number[], plain: number[]) =>
  `median of each round's ratio: ${perRound(xs, plain)
    .map((r) => r.toFixed(2))
    .join(", ")}`;

/** The three figures and their ratios on one store (filled here). */
export async function queueRows(store: Store, engine: string, stored: number): Promise<BenchRow[]> {
  const t0 = performance.now();
  await fill(store, stored);
  log(`${engine}: filled ${stored} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await workerPoolRate(store, RUN, SLOTS); // warm-up: statements prepared, code compiled
  const where = `${engine}, ${stored.toLocaleString("en-US")} stored`;
  const plain: number[] = [];
  const limited: number[] = [];
  const paused: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    plain.push(await workerPoolRate(store, RUN, SLOTS));
    await store.setQueue("a", { concurrency: 4 });
    limited.push(await workerPoolRate(store, RUN, SLOTS, ["a", "b"]));
    await store.setQueue("a", { concurrency: null });
    await store.setQueue("p", { paused: true });
    paused.push(await workerPoolRate(store, RUN, SLOTS));
    await store.setQueue("p", { paused: false });
    log(
      `${engine} round ${round}/${ROUNDS}: plain ${list(plain.slice(-1))}, a limited ${list(limited.slice(-1))}, p paused ${list(paused.slice(-1))}`,
    );
  }
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
    row(`${where}: limited / unrestricted`, median(perRound(limited, plain)), "x", ">= 0.9", ratios(limited, plain)),
    row(`${where}: half the stored jobs in a paused queue`, median(paused), "jobs/s", "", `median of ${list(paused)}`),
    row(`${where}: paused half / unrestricted`, median(perRound(paused, plain)), "x", ">= 0.9", ratios(paused, plain)),
  ];
}

export async function runQueueBenches(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const big = Number(process.env.QUEUECTL_BENCH_BIG ?? 1_000_000);
  const pgStored = Number(process.env.QUEUECTL_BENCH_PG_STORED ?? 200_000);
  if (!(big >= NEEDED && pgStored >= NEEDED)) {
    console.error(`bench queues: ${ROUNDS} rounds of ${RUN} jobs need at least ${NEEDED} stored jobs on each engine`);
    process.exit(2);
  }
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
      rows.push(...(await queueRows(store, "PostgreSQL", pgStored)));
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
