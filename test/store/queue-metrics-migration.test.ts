// Upgrading a store with history to per-queue run totals and rollups, on both engines: totals
// counted before stay under `default` (the label they were reported under: no counter goes back),
// rollups made before belong to no queue (all-queues figures only), new runs count in their queue.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { HOUR_MS, MINUTE_MS } from "../../src/core/metrics.js";
import type { Store } from "../../src/core/store.js";
import { MIGRATIONS as PG_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { PG_URL, tempHome } from "../helpers/env.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";
import { claimOne, finished, newJob } from "./contract.js";

const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
const ROLLED = NOW - 30 * MINUTE_MS;

/** Data written before the upgrade: 5 runs started, 4 completed, 1 dead; a pruned hour of 7 runs. */
const HISTORY = (s: string) => `
  UPDATE ${s}run_totals SET n = 5 WHERE event = 'started';
  UPDATE ${s}run_totals SET n = 1 WHERE event = 'dead';
  INSERT INTO ${s}run_totals (event, ${s ? "shard, " : ""}n) VALUES ('completed', ${s ? "0, " : ""}4);
  INSERT INTO ${s}run_rollups (size, start, completed, failed, duration_sum) VALUES
    (${MINUTE_MS}, ${ROLLED}, 6, 1, 600), (${HOUR_MS}, ${ROLLED - (ROLLED % HOUR_MS)}, 6, 1, 600);
`;

async function checkUpgraded(store: Store): Promise<void> {
  const byQueue = await store.runTotalsByQueue();
  assert.deepEqual(
    byQueue.map((q) => [q.queue, q.totals.started, q.totals.finished.completed, q.totals.dead]),
    [["default", 5, 4, 1]],
  );
  const all = await store.metrics(NOW);
  assert.equal(all.attempts_total, 7, "the old rollups count in the figures of all queues");
  assert.equal(all.duration_ms.avg, 100);
  const ofDefault = await store.metrics(NOW, "default");
  assert.equal(ofDefault.attempts_total, 0, "the old rollups belong to no queue");

  // A new run counts in its own queue.
  await store.insertJobs([newJob("new", NOW - 10_000, { queue: "fresh" })]);
  const claimed = await claimOne(store, "w1", NOW - 5_000);
  await store.finishRuns([finished(claimed, { state: "completed" })]);
  const after = new Map((await store.runTotalsByQueue()).map((q) => [q.queue, q.totals]));
  assert.equal(after.get("default")?.started, 5);
  assert.equal(after.get("fresh")?.started, 1);
  assert.equal(after.get("fresh")?.finished.completed, 1);
  assert.equal((await store.runTotals()).started, 6);
}

describe("upgrade to metrics per queue", () => {
  it("sqlite", async () => {
    const home = tempHome("queuectl-queue-metrics-upgrade-");
    try {
      const db = new Database(home.db);
      const mine = MIGRATIONS.findIndex((sql) => sql.includes("run_totals_by_queue"));
      assert.ok(mine > 0);
      for (const [version, sql] of MIGRATIONS.slice(0, mine).entries()) {
        db.exec(sql);
        db.pragma(`user_version = ${version + 1}`);
      }
      db.exec(HISTORY(""));
      db.close();
      const store = SqliteStore.open(home.db);
      try {
        await store.migrate();
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      home.cleanup();
    }
  });

  it("postgres", async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const schema = uniqueSchema();
    const s = `"${schema}"`;
    try {
      const mine = PG_MIGRATIONS.findIndex((m) => m.name.startsWith("metrics per queue"));
      assert.ok(mine > 0);
      const before = PG_MIGRATIONS.slice(0, mine);
      await pgQuery(`CREATE SCHEMA ${s};
        CREATE TABLE ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now());
        ${before.map((m) => m.sql(s)).join(";\n")};
        INSERT INTO ${s}.migrations (version, name) VALUES ${before.map((m) => `(${m.version}, 'm')`).join(", ")};
        ${HISTORY(`${s}.`)}`);
      const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
      try {
        await store.migrate();
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
