import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { NewJob, StateCounts } from "../../src/core/types.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { FinishedRun } from "../../src/core/store.js";
import { tempHome } from "../helpers/env.js";

// countJobs reads a table kept by triggers (migration 3); these tests hold it to a real count.

const job = (id: string, at: number, max_retries = 1): NewJob => ({
  id,
  command: "true",
  priority: 5,
  max_retries,
  timeout: null,
  run_at: at,
  created_at: at,
});

function realCounts(path: string): StateCounts {
  const db = new Database(path, { readonly: true });
  try {
    const counts: StateCounts = { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0, cancelled: 0 };
    for (const row of db.prepare(`SELECT state, count(*) AS n FROM jobs GROUP BY state`).all() as {
      state: keyof StateCounts;
      n: number;
    }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  } finally {
    db.close();
  }
}

test("upgrading a store with jobs in it counts them", async () => {
  const home = tempHome("queuectl-counts-");
  try {
    const db = new Database(home.db);
    for (const [version, sql] of MIGRATIONS.slice(0, 2).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }
    const insert = db.prepare(
      `INSERT INTO jobs (id, command, state, priority, max_retries, run_at, created_at, updated_at) VALUES (?, 'true', ?, 5, 1, 0, 0, 0)`,
    );
    const states = ["pending", "pending", "completed", "dead", "failed", "completed", "completed"];
    states.forEach((state, i) => insert.run(`old-${i}`, state));
    db.close();

    const store = SqliteStore.open(home.db);
    await store.migrate();
    assert.deepEqual(await store.countJobs(), {
      pending: 2,
      processing: 0,
      completed: 3,
      failed: 1,
      dead: 1,
      cancelled: 0,
    });
    await store.close();
    const upgraded = new Database(home.db, { readonly: true });
    assert.equal(upgraded.pragma("user_version", { simple: true }), SCHEMA_VERSION, "brought to the latest version");
    upgraded.close();
  } finally {
    home.cleanup();
  }
});

test("the counts follow every change of state, and a rolled-back change leaves them alone", async () => {
  const home = tempHome("queuectl-counts-");
  const store = SqliteStore.open(home.db);
  try {
    await store.migrate();
    const check = async (when: string) => assert.deepEqual(await store.countJobs(), realCounts(home.db), when);
    const t = Date.now();
    await store.insertJobs(Array.from({ length: 30 }, (_, i) => job(`j${i}`, t, i % 2)));
    await check("after the insert");
    await assert.rejects(store.insertJobs([job("new-1", t), job("j3", t)]));
    await check("after a rejected insert");

    await store.registerWorker({ id: "w", host: "h", pid: process.pid, slots: 8, started_at: t });
    const claimed = await store.claimJobs("w", 12, t, 60_000);
    await check("after a claim");
    const outcome = (i: number): FinishedRun["next"] =>
      i % 4 === 0
        ? { state: "completed" }
        : i % 4 === 1
          ? { state: "failed", run_at: t }
          : i % 4 === 2
            ? { state: "dead" }
            : { state: "requeue" };
    const runs: FinishedRun[] = claimed.slice(0, 8).map((c, i) => ({
      job_id: c.job.id,
      attempt: c.attempt,
      worker_id: "w",
      outcome: i % 4 === 0 ? "completed" : i % 4 === 3 ? "interrupted" : "failed",
      finished_at: t + 1,
      duration_ms: 1,
      exit_code: i % 4 === 0 ? 0 : 1,
      signal: null,
      error: null,
      stdout: { data: Buffer.alloc(0), total_bytes: 0, truncated: false },
      stderr: { data: Buffer.alloc(0), total_bytes: 0, truncated: false },
      next: outcome(i),
    }));
    await store.finishAndClaim(runs, { workerId: "w", limit: 5, now: t + 1, leaseMs: 60_000 });
    await check("after finish + claim");
    // The worker vanishes: its running jobs are reaped.
    await store.reap({ now: t + 2, deadWorkerIds: ["w"], staleBefore: 0 });
    await check("after the reap");
    await store.retryAllDead(t + 3);
    await check("after retrying the dead");
  } finally {
    await store.close();
    home.cleanup();
  }
});

/** Jobs per queue and state as `queue list` shows them, and as a count of the rows says. */
async function queueCounts(store: SqliteStore): Promise<Record<string, StateCounts>> {
  return Object.fromEntries((await store.listQueues()).map((q) => [q.name, q.counts]));
}

function realQueueCounts(path: string): Record<string, StateCounts> {
  const db = new Database(path, { readonly: true });
  try {
    const result: Record<string, StateCounts> = {};
    for (const row of db.prepare(`SELECT queue, state, count(*) AS n FROM jobs GROUP BY queue, state`).all() as {
      queue: string;
      state: keyof StateCounts;
      n: number;
    }[]) {
      result[row.queue] ??= { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0, cancelled: 0 };
      result[row.queue]![row.state] = row.n;
    }
    return result;
  } finally {
    db.close();
  }
}

test("jobs per queue are counted by triggers: enqueue, claim, finish, replace into another queue, delete", async () => {
  const home = tempHome("queuectl-counts-");
  const store = SqliteStore.open(home.db);
  try {
    await store.migrate();
    const check = async (when: string) => assert.deepEqual(await queueCounts(store), realQueueCounts(home.db), when);
    const t = Date.now();
    await store.insertJobs([
      ...Array.from({ length: 6 }, (_, i) => ({ ...job(`a${i}`, t), queue: "a" })),
      ...Array.from({ length: 4 }, (_, i) => ({ ...job(`b${i}`, t), queue: "b" })),
      { ...job("k1", t), queue: "a", key: "debounced" },
    ]);
    await check("after the insert");
    await store.registerWorker({ id: "w", host: "h", pid: process.pid, slots: 8, started_at: t });
    const claimed = await store.claimJobs("w", 5, t, 60_000);
    await check("after a claim");
    await store.finishRuns(
      claimed.slice(0, 3).map((c) => ({
        job_id: c.job.id,
        attempt: c.attempt,
        worker_id: "w",
        outcome: "completed",
        finished_at: t + 1,
        duration_ms: 1,
        exit_code: 0,
        signal: null,
        error: null,
        stdout: { data: Buffer.alloc(0), total_bytes: 0, truncated: false },
        stderr: { data: Buffer.alloc(0), total_bytes: 0, truncated: false },
        next: { state: "completed" },
      })),
    );
    await check("after finishing");
    // A replace moves the waiting keyed job to the queue of the new one.
    await store.insertJobs([{ ...job("k2", t + 2), queue: "c", key: "debounced", on_conflict: "replace" }]);
    await check("after a replace into queue c");
    await store.deleteJobs(["b3", "k1"]);
    await check("after deletes");
    assert.deepEqual(
      Object.keys(await queueCounts(store)).sort(),
      ["a", "b"],
      "a queue left with no job is not listed",
    );
    assert.deepEqual(await store.countJobs(), realCounts(home.db), "the totals are the sums of the queues");
  } finally {
    await store.close();
    home.cleanup();
  }
});
