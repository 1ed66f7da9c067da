// The statements of a dependency's completion and cancel walk indexes, never a whole table: each
// unblock along a chain of any length costs the same (see also `node dist/bench/run.js deps`).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CANCEL_WAITING, FLAGGED, SATISFY, UNBLOCK, WAITING } from "../../src/store/sqlite/sql/dependencies.js";
import { tempHome } from "../helpers/env.js";
import type { NewJob } from "../../src/core/types.js";

const home = tempHome();
before(async () => {
  const store = SqliteStore.open(home.db);
  await store.migrate();
  const now = Date.now();
  const jobs: NewJob[] = Array.from({ length: 5000 }, (_, i) => ({
    id: `c${i}`,
    command: "true",
    priority: 5,
    max_retries: 0,
    timeout: null,
    run_at: now,
    created_at: now,
    ...(i > 0 ? { after: [`c${i - 1}`] } : {}),
  }));
  await store.insertJobs(jobs);
  await store.close();
});
after(() => home.cleanup());

function plan(db: Database.Database, sql: string, params: unknown): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
    .map((row) => row.detail)
    .join("\n");
}

test("unblock and cascade statements search the edge and job indexes, before and after ANALYZE", () => {
  const db = new Database(home.db);
  try {
    const statements: [string, string, unknown][] = [
      ["flag", FLAGGED, ["c10"]],
      ["satisfy", SATISFY, ["c10"]],
      ["unblock", UNBLOCK, { id: "c11", now: 1 }],
      ["waiting", WAITING, ["c10"]],
      ["cancel", CANCEL_WAITING, { id: "c11", cause: "x", now: 1 }],
    ];
    for (const analyzed of [false, true]) {
      if (analyzed) db.exec("ANALYZE");
      for (const [name, sql, params] of statements) {
        const shown = plan(db, sql, params);
        const steps = shown.split("\n");
        assert.ok(
          steps.length > 0 && steps.every((step) => /^SEARCH (jobs|job_deps) USING /.test(step)),
          `${name}:\n${shown}`,
        );
      }
    }
  } finally {
    db.close();
  }
});
