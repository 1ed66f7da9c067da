import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempHome } from "../helpers/env.js";

// Migration 4 renames jobs.runs to last_attempt (PostgreSQL's name). A run in flight across the
// upgrade keeps its number: its worker's result is still accepted, and the next run is number 3.
test("a store upgraded from version 3 keeps counting runs under the new column name", async () => {
  const home = tempHome("queuectl-rename-");
  try {
    const t = Date.now();
    const db = new Database(home.db);
    for (const [version, sql] of MIGRATIONS.slice(0, 3).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }
    db.prepare(
      `INSERT INTO jobs (id, command, state, priority, attempts, runs, max_retries, run_at, created_at, updated_at,
         started_at, worker_id, lease_until)
       VALUES ('old', 'true', 'processing', 5, 2, 2, 3, ?, ?, ?, ?, 'w1', ?)`,
    ).run(t, t, t, t, t + 60_000);
    db.prepare(
      `INSERT INTO attempts (job_id, number, worker_id, outcome, started_at) VALUES ('old', 2, 'w1', 'running', ?)`,
    ).run(t);
    db.close();

    const store = SqliteStore.open(home.db);
    try {
      await store.migrate();
      const empty = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
      const refused = await store.finishRuns([
        {
          job_id: "old",
          attempt: 2,
          worker_id: "w1",
          outcome: "failed",
          finished_at: t + 10,
          duration_ms: 10,
          exit_code: 1,
          signal: null,
          error: "exit code 1",
          stdout: empty,
          stderr: empty,
          next: { state: "failed", run_at: t + 10 },
        },
      ]);
      assert.deepEqual(refused, [], "the run held before the upgrade is still held after it");
      const [again] = await store.claimJobs("w2", 1, t + 20, 60_000);
      assert.equal(again?.attempt, 3);
      assert.deepEqual(
        (await store.listAttempts("old")).map((a) => [a.number, a.outcome]),
        [
          [2, "failed"],
          [3, "running"],
        ],
      );
    } finally {
      await store.close();
    }
    const after = new Database(home.db, { readonly: true });
    const columns = (after.prepare(`SELECT name FROM pragma_table_info('jobs')`).all() as { name: string }[]).map(
      (c) => c.name,
    );
    after.close();
    assert.ok(columns.includes("last_attempt") && !columns.includes("runs"), columns.join(", "));
  } finally {
    home.cleanup();
  }
});
