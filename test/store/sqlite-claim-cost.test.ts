// The claim's and the finish's per-run statements and what SQLite compiles them to (measured costs
// in docs/benchmarks.md). A trigger on attempts makes a one-row attempt write run a trigger program
// under a statement journal (a copy of each page it changes), so runs are counted by the store's
// statements (test/store/run-stats.test.ts holds the counts). An IN list of three constants, or one
// that drives an index lookup, is evaluated through a temporary B-tree (OpenEphemeral) built on
// each execution: a partial index predicate or a count trigger written so made every job pay it.
import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CLAIM_SQL } from "../../src/store/sqlite/sql/claim-jobs.js";
import { ATTEMPT_DONE, MOVE_JOB } from "../../src/store/sqlite/sql/finish-runs.js";
import { HOLDER } from "../../src/store/sqlite/sql/insert-jobs.js";
import { tempHome } from "../helpers/env.js";

/** The opcodes of a statement's program, then of the trigger programs it runs (EXPLAIN lists both). */
function programs(db: Database.Database, sql: string): { main: string[]; triggers: string[] } {
  const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1], 1]));
  const rows = db.prepare(`EXPLAIN ${sql}`).all(params) as { addr: number; opcode: string }[];
  // Each program's addresses start at 0: the trigger programs start at the second 0.
  const split = rows.findIndex((row, i) => i > 0 && row.addr === 0);
  const end = split === -1 ? rows.length : split;
  return {
    main: rows.slice(0, end).map((row) => row.opcode),
    triggers: rows.slice(end).map((row) => row.opcode),
  };
}

const opcodes = (db: Database.Database, sql: string) => {
  const { main, triggers } = programs(db, sql);
  return [...main, ...triggers];
};

const count = (ops: string[], opcode: string) => ops.filter((op) => op === opcode).length;

async function withSchema(fn: (db: Database.Database) => void): Promise<void> {
  const home = tempHome("queuectl-claim-cost-");
  try {
    const store = SqliteStore.open(home.db);
    await store.migrate();
    await store.close();
    const db = new Database(home.db);
    try {
      fn(db);
    } finally {
      db.close();
    }
  } finally {
    home.cleanup();
  }
}

test("no trigger runs on attempts, and none counts runs", () =>
  withSchema((db) => {
    const insert = opcodes(
      db,
      `INSERT INTO attempts (job_id, number, worker_id, outcome, started_at, run_at) VALUES (@j, @n, @w, 'running', @s, @r)`,
    );
    assert.equal(count(insert, "Program"), 0, `attempt insert runs a trigger: ${insert.join(" ")}`);
    const done = opcodes(db, ATTEMPT_DONE);
    assert.equal(count(done, "Program"), 0, `attempt update runs a trigger: ${done.join(" ")}`);
    const counting = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'trigger' AND (tbl_name = 'attempts' OR sql LIKE '%run_totals%')`,
      )
      .all() as { name: string }[];
    assert.deepEqual(counting, []);
  }));

test("the finish's job update builds no temporary B-tree; the claim builds none per row", () =>
  withSchema((db) => {
    const move = opcodes(db, MOVE_JOB);
    assert.equal(count(move, "OpenEphemeral"), 0, `finish's job update: ${move.join(" ")}`);
    // The claim runs once per batch: its IN (subquery) and RETURNING each use one. Its count
    // trigger program (one run per claimed job) must use none.
    const claim = programs(db, CLAIM_SQL);
    assert.ok(count(claim.main, "Program") > 0, "the claim runs the count trigger");
    assert.ok(claim.triggers.length > 0, "EXPLAIN lists the trigger program");
    assert.equal(count(claim.triggers, "OpenEphemeral"), 0, `claim's trigger programs: ${claim.triggers.join(" ")}`);
  }));

test("the partial indexes written with comparisons still serve their queries", () =>
  withSchema((db) => {
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((row) => row.detail)
        .join("\n");
    const holder = plan(HOLDER, "k");
    assert.match(holder, /USING INDEX jobs_active_key/, holder);
    const release = plan(`SELECT id FROM jobs WHERE key = ? AND state = 'processing'`, "k");
    assert.match(release, /USING INDEX jobs_active_key/, release);
  }));
