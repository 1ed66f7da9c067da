// The claim's per-run statements and what SQLite compiles them to. A trigger on attempts makes the
// attempt insert run a trigger program under a statement journal (a copy of each page it changes):
// measured, the run totals' triggers cost about 30,000 instructions per job, most of it that journal
// (docs/benchmarks.md). Runs started are counted on jobs instead (test/store/run-stats.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CLAIM_SQL } from "../../src/store/sqlite/sql/claim-jobs.js";
import { tempHome } from "../helpers/env.js";

/** The opcodes of a statement's program. */
function opcodes(db: Database.Database, sql: string, params: unknown[] | Record<string, unknown>): string[] {
  const rows = db.prepare(`EXPLAIN ${sql}`).all(params) as { opcode: string }[];
  return rows.map((row) => row.opcode);
}

test("the claim's attempt insert runs no trigger; its job update counts the run", async () => {
  const home = tempHome("queuectl-claim-cost-");
  try {
    const store = SqliteStore.open(home.db);
    await store.migrate();
    await store.close();
    const db = new Database(home.db);
    try {
      const insert = opcodes(
        db,
        `INSERT INTO attempts (job_id, number, worker_id, outcome, started_at, run_at) VALUES (?, ?, ?, 'running', ?, ?)`,
        ["j", 1, "w", 0, 0],
      );
      assert.ok(!insert.includes("Program"), `attempt insert runs a trigger: ${insert.join(" ")}`);
      const claim = opcodes(db, CLAIM_SQL, { worker: "w", now: 0, lease: 0, limit: 8 });
      assert.ok(claim.includes("Program"), "the claim's job update runs the counting triggers");
      const started = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%''started''%'`)
        .all() as { name: string }[];
      assert.deepEqual(
        started.map((t) => t.name),
        ["jobs_total_started"],
      );
    } finally {
      db.close();
    }
  } finally {
    home.cleanup();
  }
});
