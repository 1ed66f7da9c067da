// Store.runTotals and Store.finishedAttempts (what GET /metrics reads), on both engines, held to
// the attempts the store itself lists. (The shared contract suite is test/store/contract.ts.)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { FinishedAttempt, FinishedCursor, FinishedRun, NextState, Store } from "../../src/core/store.js";
import type { AttemptOutcome, ClaimedJob, NewJob } from "../../src/core/types.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { PG_URL, tempHome } from "../helpers/env.js";
import { dropSchema, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

const T0 = Date.now() - 60_000;
const LEASE = 60_000;
const empty = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };

const job = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id,
  command: "true",
  priority: 5,
  max_retries: 1,
  timeout: null,
  run_at: T0,
  created_at: T0,
  ...overrides,
});

function finish(claimed: ClaimedJob, at: number, outcome: Exclude<AttemptOutcome, "running">, next: NextState) {
  const run: FinishedRun = {
    job_id: claimed.job.id,
    attempt: claimed.attempt,
    worker_id: "w1",
    outcome,
    finished_at: at,
    duration_ms: at - (claimed.job.started_at ?? at),
    exit_code: outcome === "completed" ? 0 : 1,
    signal: null,
    error: null,
    stdout: empty,
    stderr: empty,
    next,
  };
  return run;
}

async function claim(store: Store, now: number, limit = 1): Promise<ClaimedJob[]> {
  return store.claimJobs("w1", limit, now, LEASE);
}

/** Every finished attempt the store lists, counted by outcome. */
async function listedOutcomes(store: Store, ids: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    for (const a of await store.listAttempts(id)) counts[a.outcome] = (counts[a.outcome] ?? 0) + 1;
  }
  return counts;
}

async function readAll(store: Store, from: FinishedCursor, until: number, limit: number): Promise<FinishedAttempt[]> {
  const all: FinishedAttempt[] = [];
  let cursor = from;
  for (;;) {
    const page = await store.finishedAttempts(cursor, until, limit);
    assert.ok(page.length <= limit);
    all.push(...page);
    const last = page.at(-1);
    if (!last || page.length < limit) return all;
    cursor = { finished_at: last.finished_at, job_id: last.job_id, number: last.number };
  }
}

function runStatsSuite(engine: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`run totals and finished runs: ${engine}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => ({ store, cleanup } = await open()));
    after(async () => cleanup());

    it("counts starts, outcomes and moves to the DLQ as they happen", async () => {
      const zero = await store.runTotals();
      assert.equal(zero.started, 0);
      assert.deepEqual(Object.values(zero.finished), [0, 0, 0, 0, 0, 0, 0]);

      await store.registerWorker({ id: "w1", host: "h", pid: 1, slots: 8, started_at: T0 });
      await store.insertJobs([
        job("ok"),
        job("flaky"),
        job("bad", { max_retries: 0 }),
        job("gone", { max_retries: 0 }),
      ]);
      await store.insertJobs([job("stopped", { run_at: T0 + 5_000 })]);
      const first = await claim(store, T0 + 10_000, 5);
      assert.equal(first.length, 5);
      const byId = (id: string) => first.find((c) => c.job.id === id) as ClaimedJob;
      await store.finishRuns([
        finish(byId("ok"), T0 + 11_000, "completed", { state: "completed" }),
        finish(byId("flaky"), T0 + 12_000, "failed", { state: "failed", run_at: T0 + 13_000 }),
        finish(byId("bad"), T0 + 12_500, "timeout", { state: "dead" }),
        finish(byId("stopped"), T0 + 12_700, "interrupted", { state: "requeue" }),
      ]);
      await store.reap({ now: T0 + 14_000, deadWorkerIds: ["w1"], staleBefore: 0 });
      // "gone" was lost and is dead (no retries left); w1 was removed with it.
      await store.registerWorker({ id: "w1", host: "h", pid: 1, slots: 8, started_at: T0 });
      const second = await claim(store, T0 + 20_000, 5); // flaky and stopped again
      assert.deepEqual(second.map((c) => c.job.id).sort(), ["flaky", "stopped"]);
      await store.finishRuns(second.map((c) => finish(c, T0 + 21_000, "completed", { state: "completed" })));
      await store.retryDead("bad", T0 + 22_000);
      const third = await claim(store, T0 + 23_000);
      await store.finishRuns([finish(third[0] as ClaimedJob, T0 + 24_000, "failed", { state: "dead" })]);

      const totals = await store.runTotals();
      const listed = await listedOutcomes(store, ["ok", "flaky", "bad", "gone", "stopped"]);
      assert.equal(totals.started, 8);
      for (const [outcome, n] of Object.entries(totals.finished)) assert.equal(n, listed[outcome] ?? 0, outcome);
      assert.deepEqual(totals.finished, {
        completed: 3,
        failed: 2,
        timeout: 1,
        start_error: 0,
        lost: 1,
        interrupted: 1,
        cancelled: 0,
      });
      // bad (twice: dead, retried, dead again) and gone; the DLQ holds two jobs.
      assert.equal(totals.dead, 3);
    });

    it("pages finished runs in (finished_at, job, number) order, up to `until`, with their run_at", async () => {
      const start = { finished_at: 0, job_id: "", number: 0 };
      const all = await readAll(store, start, Number.MAX_SAFE_INTEGER, 1000);
      assert.equal(all.length, 8);
      const keys = all.map((a) => [a.finished_at, a.job_id, a.number] as const);
      const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2]);
      assert.deepEqual(keys, sorted);
      // Pages of 1, 2 and 3 find the same runs, each once.
      for (const limit of [1, 2, 3]) assert.deepEqual(await readAll(store, start, Number.MAX_SAFE_INTEGER, limit), all);
      // `until` and the cursor bound the window.
      const upTo = await readAll(store, start, T0 + 12_500, 2);
      assert.deepEqual(
        upTo.map((a) => a.job_id),
        ["ok", "flaky", "bad"],
      );
      const rest = await readAll(store, { finished_at: T0 + 12_500, job_id: "bad", number: 1 }, T0 + 21_000, 2);
      assert.deepEqual(
        rest.map((a) => `${a.job_id}#${a.number}`),
        ["stopped#1", "gone#1", "flaky#2", "stopped#2"],
      );
      // Each run carries the run_at it was claimed for: flaky's retry was due at T0 + 13 s.
      const flaky2 = all.find((a) => a.job_id === "flaky" && a.number === 2) as FinishedAttempt;
      assert.equal(flaky2.run_at, T0 + 13_000);
      assert.equal(flaky2.started_at, T0 + 20_000);
      assert.equal(flaky2.created_at, T0);
      const stopped1 = all.find((a) => a.job_id === "stopped" && a.number === 1) as FinishedAttempt;
      assert.equal(stopped1.run_at, T0 + 5_000);
      assert.equal(stopped1.outcome, "interrupted");
      assert.equal(stopped1.duration_ms, 2_700);
    });
  });
}

runStatsSuite("sqlite", async () => {
  const home = tempHome("queuectl-run-stats-");
  const store = SqliteStore.open(home.db);
  await store.migrate();
  return { store, cleanup: async () => (await store.close(), home.cleanup()) };
});

const skip = await pgSkipReason();
if (skip) {
  describe("run totals and finished runs: postgres", () => {
    it("needs PostgreSQL", { skip }, () => {});
  });
} else {
  runStatsSuite("postgres", async () => {
    const schema = uniqueSchema();
    const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
    await store.migrate();
    return { store, cleanup: async () => (await store.close(), await dropSchema(schema)) };
  });
}

it("sqlite: upgrading a store with runs in it counts them", async () => {
  const home = tempHome("queuectl-run-stats-");
  try {
    const db = new Database(home.db);
    const before = MIGRATIONS.findIndex((sql) => sql.includes("run_totals"));
    for (const [version, sql] of MIGRATIONS.slice(0, before).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }
    db.exec(`INSERT INTO jobs (id, command, state, priority, max_retries, run_at, created_at, updated_at)
             VALUES ('a', 'true', 'completed', 5, 1, 0, 0, 0), ('b', 'false', 'dead', 5, 1, 0, 0, 0)`);
    db.exec(`INSERT INTO attempts (job_id, number, outcome, started_at, finished_at, duration_ms) VALUES
             ('a', 1, 'completed', 0, 5, 5), ('b', 1, 'failed', 0, 5, 5), ('b', 2, 'lost', 6, 9, 3)`);
    db.close();
    const store = SqliteStore.open(home.db);
    await store.migrate();
    const totals = await store.runTotals();
    assert.equal(totals.started, 3);
    assert.equal(totals.dead, 1);
    assert.deepEqual(
      [totals.finished.completed, totals.finished.failed, totals.finished.lost, totals.finished.timeout],
      [1, 1, 1, 0],
    );
    const runs = await store.finishedAttempts({ finished_at: 0, job_id: "", number: 0 }, 100, 10);
    assert.deepEqual(
      runs.map((r) => [r.job_id, r.number, r.run_at]),
      [
        ["a", 1, null],
        ["b", 1, null],
        ["b", 2, null],
      ],
    );
    await store.close();
  } finally {
    home.cleanup();
  }
});
