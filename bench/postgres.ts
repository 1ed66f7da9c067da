/**
 * The PostgreSQL benchmarks (`node dist/bench/postgres.js`, or via `npm run bench`):
 *
 * 1. Queue overhead, no-op executor, 10,000 jobs, concurrency 10, on the same server in the same run:
 *    - queuectl through the Store directly: at most 10 jobs in flight; one claim takes as many jobs as
 *      there are free slots, finished runs are recorded in group commits (one finishRuns for every run
 *      that finished while the previous write was in flight) — what WorkerPool does, minus processes;
 *    - queuectl's real WorkerPool (10 slots) with a no-op executor (heartbeats, logging, all of it);
 *    - graphile-worker (concurrency 10, no-op task) and pg-boss (batchSize 10, no-op handler).
 *    Target: queuectl ≥ 2 × graphile-worker.
 * 2. Pickup latency with NOTIFY: enqueue → start on an idle `queuectl worker start --count 1` in another
 *    process, median of 20. Target ≤ 10 ms.
 *
 * Every run uses fresh schemas, dropped afterwards. Results: a table, and bench/results/postgres.json.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import type { ClaimedJob } from "../src/core/types.js";
import { pgSettings } from "../src/store/postgres/config.js";
import { PostgresStore } from "../src/store/postgres/postgres-store.js";
import type { FinishedRun, Store } from "../src/core/store.js";
import { PG_URL, waitFor } from "../test/helpers/env.js";
import { dropSchema, pgQuery, uniqueSchema } from "../test/helpers/pg.js";
import {
  completedRun,
  fillJobs,
  median,
  pickupLatency,
  printTable,
  row,
  saveResults,
  workerPoolRate,
  type BenchRow,
} from "./lib.js";

const JOBS = Number(process.env.QUEUECTL_BENCH_PG_JOBS ?? 10_000);
const CONCURRENCY = 10;
/** How long a competitor may take over one run, and how often its progress is read. */
const BENCH_WAIT = { timeoutMs: 300_000, intervalMs: 20 };

/** A connection string node-postgres accepts as psql would (default user = OS user). */
const connectionString = pgSettings(PG_URL).connectionString;

/** A schema name for one bench run of `what`; each run uses fresh schemas, dropped afterwards. */
const benchSchema = (what: string) => uniqueSchema(`qctl_bench_${what}_`);

/** A fresh queuectl schema; the URL names it (`?schema=`), so child processes use it too. */
async function queuectlTarget(what: string): Promise<{ db: string; store: PostgresStore; schema: string }> {
  const schema = benchSchema(what);
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const db = url.toString();
  const store = await PostgresStore.connect(db);
  await store.migrate();
  return { db, store, schema };
}

// ---- queuectl, Store directly

/**
 * A worker pool with a no-op executor, reduced to its store traffic: up to `slots` jobs in flight;
 * the claim loop takes `free` jobs at a time; a job "runs" for one tick; finished runs queue up and
 * are written by one flusher, all those waiting in one finishRuns (group commit).
 */
async function storeDirectRate(store: Store, n: number, slots: number): Promise<number> {
  const workerId = `bench-direct-${process.pid}`;
  let inFlight = 0;
  let recorded = 0;
  let claimedTotal = 0;
  let pending: FinishedRun[] = [];
  let flushing: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        await store.finishRuns(batch);
        recorded += batch.length;
      }
      flushing = null;
      signal();
    })());
  const finish = (c: ClaimedJob) => {
    const now = Date.now();
    pending.push(completedRun(c, workerId, now, 0));
    inFlight--;
    void flush();
    signal();
  };
  const t0 = performance.now();
  while (claimedTotal < n) {
    const free = slots - inFlight;
    if (free === 0) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const claims = await store.claimJobs(workerId, free, Date.now(), 60_000);
    if (claims.length === 0) throw new Error(`claimJobs returned nothing after ${claimedTotal} of ${n} jobs`);
    claimedTotal += claims.length;
    inFlight += claims.length;
    for (const c of claims) setImmediate(() => finish(c));
  }
  while (recorded < n) await (flushing ?? new Promise<void>((resolve) => setImmediate(resolve)));
  return n / ((performance.now() - t0) / 1000);
}

// ---- graphile-worker

async function graphileRate(n: number): Promise<{ rate: number; version: string }> {
  const gw = await import("graphile-worker");
  const schema = benchSchema("gw");
  try {
    const utils = await gw.makeWorkerUtils({ connectionString, schema });
    await utils.migrate();
    for (let i = 0; i < n; i += 1000) {
      await utils.addJobs(Array.from({ length: Math.min(1000, n - i) }, () => ({ identifier: "noop", payload: {} })));
    }
    await utils.release();
    const remaining = async () =>
      Number((await pgQuery(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(schema)}._private_jobs`)).rows[0].n);
    if ((await remaining()) !== n) throw new Error("graphile-worker: jobs not added");
    const t0 = performance.now();
    const runner = await gw.run({
      connectionString,
      schema,
      concurrency: CONCURRENCY,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: new gw.Logger(() => () => {}),
      taskList: { noop: async () => {} },
    });
    await waitFor("graphile-worker to finish", async () => (await remaining()) === 0, BENCH_WAIT);
    const rate = n / ((performance.now() - t0) / 1000);
    await runner.stop();
    return { rate, version: packageVersion("graphile-worker") };
  } finally {
    await dropSchema(schema);
  }
}

// ---- pg-boss

async function pgBossRate(n: number): Promise<{ rate: number; version: string }> {
  const { PgBoss } = await import("pg-boss");
  const schema = benchSchema("boss");
  const boss = new PgBoss({ connectionString, schema });
  boss.on("error", () => {});
  try {
    await boss.start();
    await boss.createQueue("noop");
    for (let i = 0; i < n; i += 1000) {
      await boss.insert(
        "noop",
        Array.from({ length: Math.min(1000, n - i) }, () => ({ data: {} })),
      );
    }
    const completed = async () =>
      Number(
        (
          await pgQuery(
            `SELECT count(*) AS n FROM ${pg.escapeIdentifier(schema)}.job WHERE name = 'noop' AND state = 'completed'`,
          )
        ).rows[0].n,
      );
    const t0 = performance.now();
    await boss.work(
      "noop",
      { batchSize: CONCURRENCY, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
      async () => {},
    );
    await waitFor("pg-boss to finish", async () => (await completed()) === n, BENCH_WAIT);
    const rate = n / ((performance.now() - t0) / 1000);
    return { rate, version: packageVersion("pg-boss") };
  } finally {
    await boss.stop({ graceful: false }).catch(() => {});
    await dropSchema(schema);
  }
}

function packageVersion(name: string): string {
  try {
    const file = fileURLToPath(new URL(`../../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(readFileSyncUtf8(file)) as { version: string }).version;
  } catch {
    return "?";
  }
}

const readFileSyncUtf8 = (file: string) => readFileSync(file, "utf8");

// ---- all together

/** Runs every PostgreSQL benchmark; null when no server is reachable. */
export async function runPostgresBenches(): Promise<BenchRow[] | null> {
  try {
    await pgQuery("SELECT 1");
  } catch {
    return null;
  }
  const rows: BenchRow[] = [];
  const log = (line: string) => console.error(`[bench postgres] ${line}`);

  // 1. Overhead: each engine on a fresh schema with the same 10,000 jobs. The server's speed drifts
  // (checkpoints, autovacuum of the previous run's tables), so queuectl and graphile-worker alternate
  // for a few rounds and the medians are compared.
  const rounds = Number(process.env.QUEUECTL_BENCH_ROUNDS ?? 3);
  const poolRates: number[] = [];
  const gwRates: number[] = [];
  let gwVersion = "?";
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: queuectl WorkerPool, no-op executor (${JOBS} jobs, ${CONCURRENCY} slots)`);
    const t = await queuectlTarget("pool");
    try {
      await fillJobs(t.store, JOBS);
      poolRates.push(await workerPoolRate(t.store, JOBS, CONCURRENCY));
    } finally {
      await t.store.close();
      await dropSchema(t.schema);
    }
    log(`round ${round}/${rounds}: graphile-worker`);
    try {
      const gw = await graphileRate(JOBS);
      gwRates.push(gw.rate);
      gwVersion = gw.version;
    } catch (error) {
      log(`graphile-worker failed: ${(error as Error).message}`);
    }
  }
  log(`queuectl store-direct (info)`);
  let direct: number;
  {
    const t = await queuectlTarget("direct");
    try {
      await fillJobs(t.store, JOBS);
      direct = await storeDirectRate(t.store, JOBS, CONCURRENCY);
    } finally {
      await t.store.close();
      await dropSchema(t.schema);
    }
  }
  log("pg-boss");
  let boss: { rate: number; version: string } | null = null;
  try {
    boss = await pgBossRate(JOBS);
  } catch (error) {
    log(`pg-boss failed: ${(error as Error).message}`);
  }

  const detail = `${JOBS.toLocaleString("en-US")} jobs, concurrency ${CONCURRENCY}, no-op`;
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join("/");
  const poolRate = median(poolRates);
  rows.push(
    row("queuectl WorkerPool + no-op executor", poolRate, "jobs/s", "", `${detail}; median of ${list(poolRates)}`),
  );
  if (gwRates.length > 0) {
    const gwRate = median(gwRates);
    rows.push(
      row(`graphile-worker ${gwVersion}, no-op task`, gwRate, "jobs/s", "", `${detail}; median of ${list(gwRates)}`),
    );
    rows.push(
      row(
        "queuectl WorkerPool / graphile-worker",
        poolRate / gwRate,
        "x",
        ">= 2",
        `medians of ${rounds} alternating rounds`,
      ),
    );
  }
  if (boss) rows.push(row(`pg-boss ${boss.version}, no-op handler (batchSize 10)`, boss.rate, "jobs/s", "", detail));
  if (boss) rows.push(row("queuectl WorkerPool / pg-boss", poolRate / boss.rate, "x", ""));
  rows.push(
    row(
      "queuectl Store direct: claim + finishRuns, 2 statements per cycle (info)",
      direct,
      "jobs/s",
      "",
      `${detail}; the pool uses one statement per cycle (finishAndClaim)`,
    ),
  );

  // 2. Pickup latency through NOTIFY, idle worker in another process.
  log("pickup latency");
  {
    const t = await queuectlTarget("pickup");
    try {
      const { latencies, idleCpuPercent } = await pickupLatency(
        { db: t.db, env: { QUEUECTL_DB: t.db }, cleanup: () => {} },
        20,
      );
      const sorted = [...latencies].sort((a, b) => a - b);
      rows.push(
        row(
          "pickup latency, NOTIFY, idle worker in another process (median of 20)",
          median(latencies),
          "ms",
          "<= 10",
          `min ${sorted[0]} / max ${sorted.at(-1)} ms`,
        ),
      );
      if (idleCpuPercent !== null) rows.push(row("idle worker CPU", idleCpuPercent, "% of a core", "", "over 3 s"));
    } finally {
      await t.store.close();
      await dropSchema(t.schema);
    }
  }
  return rows;
}

// Run alone: `node dist/bench/postgres.js`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runPostgresBenches();
  if (!rows) {
    console.log(`PostgreSQL benchmarks skipped: no server reachable at ${PG_URL}`);
  } else {
    printTable("queuectl benchmarks — PostgreSQL", rows);
    saveResults("postgres", rows);
  }
  process.exit(0);
}
