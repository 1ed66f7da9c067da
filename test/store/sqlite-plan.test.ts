import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CLAIM_SQL } from "../../src/store/sqlite/sql/claim-jobs.js";
import { tempHome } from "../helpers/env.js";
import type { NewJob } from "../../src/core/types.js";

// Known trap: after ANALYZE on a table full of pending jobs, SQLite may prefer a full scan plus a
// sort for the claim (~170 jobs/s instead of ~35,000). The claim must walk the covering index.
const home = tempHome();
before(async () => {
  const store = SqliteStore.open(home.db);
  await store.migrate();
  const now = Date.now();
  const jobs: NewJob[] = Array.from({ length: 20_000 }, (_, i) => ({
    id: `j${i}`,
    command: "true",
    priority: 1 + (i % 10),
    max_retries: 3,
    timeout: null,
    run_at: now + (i % 3 === 0 ? 60_000 : 0),
    created_at: now,
  }));
  await store.insertJobs(jobs);
  await store.close();
});
after(() => home.cleanup());

test("the claim uses the covering ready index, without a temporary B-tree, after ANALYZE", () => {
  const db = new Database(home.db);
  try {
    db.exec("ANALYZE");
    db.pragma("optimize");
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_SQL}`).all({ worker: "w", now: Date.now(), lease: 0, limit: 10 }) as {
        detail: string;
      }[]
    )
      .map((row) => row.detail)
      .join("\n");
    assert.match(plan, /USING COVERING INDEX jobs_ready/, plan);
    assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
    assert.doesNotMatch(plan, /^SCAN jobs$/m, plan);
  } finally {
    db.close();
  }
});
