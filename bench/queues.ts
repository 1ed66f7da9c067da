/**
 * Named queues on the claim path (`node dist/bench/run.js queues`): the real WorkerPool (8 slots,
 * no-op executor) claims and completes 6,000 jobs in each of three settings:
 *   1. no queue paused or limited, the worker serves all queues (the plain claim);
 *   2. 2 queues, one limited: `a` at concurrency 4, the worker serves `a,b`;
 *   3. half the stored jobs in a paused queue: `p` paused, the worker serves all queues.
 * Each setting runs on a store of its own, filled alike with `stored` jobs — half of them in queue
 * `p`, enqueued first, the rest spread over `a` and `b`. On one shared store, PostgreSQL charged
 * each setting for the others' runs: a claimed job's index entries stay until a vacuum, and settings
 * 2 and 3 both took from `a` and `b`, so each walked the entries the other left. On PostgreSQL each
 * run starts from vacuumed tables, with autovacuum off on them: an autovacuum landing in a run at
 * random halved that run's rate.
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
import { dropSchema, pgQuery, uniqueSchema } from "../test/helpers/pg.js";
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
 * Each setting takes up to RUN + SLOTS jobs a run (the pool drains the runs it holds when stopped)
 * from its half of its store (the plain claim from `p`, the other two from `a` and `b`), warm-up
 * included: a store smaller than this would leave a run waiting for ever.
 */
const NEEDED = 2 * (ROUNDS + 1) * (RUN + SLOTS);

/** The ratio of each round's figure to the plain figure of the same round. */
const perRound = (xs: number[], plain: number[]) => xs.map((x, i) => x / (plain[i] ?? Number.NaN));
const ratios = (xs: number[], plain: number[]) =>
  `median of each round's ratio: ${perRound(xs, plain)
    .map((r) => r.toFixed(2))
    .join(", ")}`;

/** The three settings, each on its store. */
interface SettingStores {
  plain: Store;
  limited: Store;
  paused: Store;
}

/**
 * What an engine does to its stores around the runs: `settle` once filled, `beforeRun` before each
 * run (untimed). Nothing on SQLite.
 */
interface Upkeep {
  settle(store: Store): Promise<void>;
  beforeRun(store: Store): Promise<void>;
}

const NO_UPKEEP: Upkeep = { settle: async () => {}, beforeRun: async () => {} };

/** Fills the three stores alike, each settled before the rounds start. */
async function fillAll(stores: SettingStores, engine: string, stored: number, upkeep: Upkeep) {
  for (const store of Object.values(stores)) {
    const t0 = performance.now();
    await fill(store, stored);
    await upkeep.settle(store);
    log(`${engine}: filled ${stored} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

/** The three figures and their ratios, each setting on its own store (filled here). */
async function queueRows(
  stores: SettingStores,
  engine: string,
  stored: number,
  upkeep: Upkeep = NO_UPKEEP,
): Promise<BenchRow[]> {
  await fillAll(stores, engine, stored, upkeep);
  await stores.limited.setQueue("a", { concurrency: 4 });
  await stores.paused.setQueue("p", { paused: true });
  const run = async (store: Store, queues?: string[]) => {
    await upkeep.beforeRun(store);
    return workerPoolRate(store, RUN, SLOTS, queues);
  };
  // Warm-up: statements prepared, code compiled.
  await run(stores.plain);
  await run(stores.limited, ["a", "b"]);
  await run(stores.paused);
  const where = `${engine}, ${stored.toLocaleString("en-US")} stored`;
  const plain: number[] = [];
  const limited: number[] = [];
  const paused: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    plain.push(await run(stores.plain));
    limited.push(await run(stores.limited, ["a", "b"]));
    paused.push(await run(stores.paused));
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
  rows.push(...(await sqliteRows(big)));
  rows.push(...(await postgresRows(pgStored)));
  return rows;
}

async function sqliteRows(stored: number): Promise<BenchRow[]> {
  const targets = [sqliteTarget(), sqliteTarget(), sqliteTarget()] as const;
  const opened: SqliteStore[] = [];
  try {
    for (const target of targets) {
      const store = SqliteStore.open(target.db);
      opened.push(store);
      await store.migrate();
    }
    const [plain, limited, paused] = opened as [SqliteStore, SqliteStore, SqliteStore];
    return await queueRows({ plain, limited, paused }, "SQLite", stored);
  } finally {
    for (const store of opened) await store.close();
    for (const target of targets) await target.cleanup();
  }
}

async function postgresRows(stored: number): Promise<BenchRow[]> {
  const schemas = [1, 2, 3].map(() => uniqueSchema("qctl_bench_queues_"));
  const opened: PostgresStore[] = [];
  try {
    for (const schema of schemas) {
      const url = new URL(PG_URL);
      url.searchParams.set("schema", schema);
      const store = await PostgresStore.connect(url.toString());
      opened.push(store);
      await store.migrate();
    }
    const [plain, limited, paused] = opened as [PostgresStore, PostgresStore, PostgresStore];
    const schemaOf = (store: Store) => schemas[opened.indexOf(store as PostgresStore)]!;
    const tables = (store: Store) => ["jobs", "attempts", "run_totals"].map((t) => `${schemaOf(store)}.${t}`);
    // Each run starts from vacuumed tables, and no autovacuum lands in a run at random: one that did
    // cost its run half its rate (paused-half rounds of 0.45 and 0.57 in one bench run). The entries
    // a run's own claims leave in the indexes stay in, as they would between two vacuums.
    const upkeep: Upkeep = {
      settle: async (store) => {
        for (const table of tables(store)) await pgQuery(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
        await pgQuery(`VACUUM ANALYZE ${tables(store).join(", ")}`);
      },
      beforeRun: async (store) => {
        await pgQuery(`VACUUM ${tables(store).join(", ")}`);
      },
    };
    return await queueRows({ plain, limited, paused }, "PostgreSQL", stored, upkeep);
  } catch (error) {
    log(`PostgreSQL skipped: ${(error as Error).message}`);
    return [];
  } finally {
    for (const store of opened) await store.close();
    for (const schema of schemas) await dropSchema(schema).catch(() => {});
  }
}
