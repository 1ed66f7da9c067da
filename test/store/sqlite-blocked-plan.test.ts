// `list --state blocked` and the blocked jobs' dependencies read indexes, never the whole jobs
// table: the blocked ones are one key of jobs_due, already in seq order, and each one's edges a
// range of job_deps_job. Checked on a store with many ready jobs, before and after ANALYZE.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { BLOCKERS } from "../../src/store/sqlite/sql/blockers.js";
import { listQuery } from "../../src/store/sqlite/sql/read-jobs.js";
import { tempHome } from "../helpers/env.js";
import type { JobFilter, NewJob } from "../../src/core/types.js";

const home = tempHome();
before(async () => {
  const store = SqliteStore.open(home.db);
  await store.migrate();
  const now = Date.now();
  const job = (id: string, extra: Partial<NewJob> = {}): NewJob => ({
    id,
    command: "true",
    priority: 5,
    max_retries: 0,
    timeout: null,
    run_at: now,
    created_at: now,
    ...extra,
  });
  await store.insertJobs([
    job("root", { run_at: now + 3_600_000 }),
    ...Array.from({ length: 20_000 }, (_, i) => job(`ready${i}`)),
    ...Array.from({ length: 200 }, (_, i) => job(`blocked${i}`, { after: ["root"] })),
  ]);
  await store.close();
});
after(() => home.cleanup());

function plan(db: Database.Database, sql: string, params: unknown): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
    .map((row) => row.detail)
    .join("\n");
}

test("the blocked list walks jobs_due in seq order, without a sort, before and after ANALYZE", () => {
  const db = new Database(home.db);
  try {
    const filters: Partial<JobFilter>[] = [{}, { cursor: "100" }, { queue: "default" }, { q: "blocked1" }];
    for (const analyzed of [false, true]) {
      if (analyzed) db.exec("ANALYZE");
      for (const extra of filters) {
        const { sql, params } = listQuery({ state: "blocked", limit: 50, ...extra });
        const shown = plan(db, sql, params);
        assert.match(shown, /^SEARCH jobs USING INDEX jobs_due \(run_at=\?/, `${JSON.stringify(extra)}:\n${shown}`);
        assert.doesNotMatch(shown, /TEMP B-TREE|^SCAN/m, shown);
      }
      const deps = plan(db, BLOCKERS, [JSON.stringify(["blocked1", "blocked2"])]);
      const tables = deps.split("\n").filter((line) => /^(SEARCH|SCAN) (d|j) /.test(line));
      assert.equal(tables.length, 2, `the edges and their jobs:\n${deps}`);
      for (const step of tables) assert.match(step, /^SEARCH /, `the dependencies of listed jobs:\n${deps}`);
    }
  } finally {
    db.close();
  }
});
