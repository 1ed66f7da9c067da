// PostgreSQL keeps a limited queue's running jobs as a count on its row: claims and finishes on
// several connections racing with the limit being removed and set again must leave that count equal
// to the queue's processing jobs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob } from "../../src/core/types.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import pg from "pg";
import { PG_URL, waitFor } from "../helpers/env.js";
import { pgSettings } from "../../src/store/postgres/config.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";
import { finished, LEASE, newJob } from "./contract.js";

const LIMIT = 6;

describe("running count of a limited queue under concurrent claims, finishes and limit changes", () => {
  it("postgres", async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const schema = uniqueSchema();
    const env = { ...process.env, QUEUECTL_SCHEMA: schema };
    const stores: PostgresStore[] = [];
    try {
      for (let i = 0; i < 4; i++) stores.push(await PostgresStore.connect(PG_URL, env));
      const [admin] = stores;
      assert.ok(admin);
      await admin.migrate();
      const now = Date.now();
      await admin.insertJobs([
        ...Array.from({ length: 3000 }, (_, i) => newJob(`q${i}`, now - 1000 + i, { queue: "q" })),
        ...Array.from({ length: 400 }, (_, i) => newJob(`f${i}`, now - 1000 + i, { queue: "free" })),
      ]);
      await admin.setQueue("q", { concurrency: LIMIT });
      let toggling = true;
      const toggler = (async () => {
        for (let round = 0; toggling; round++) {
          await admin.setQueue("q", { concurrency: round % 2 === 0 ? null : LIMIT });
        }
        await admin.setQueue("q", { concurrency: LIMIT });
      })();
      const worker = async (store: PostgresStore, id: string) => {
        let held: ClaimedJob[] = [];
        for (let round = 0; round < 40; round++) {
          const result = await store.finishAndClaim(
            held.map((run) => finished(run, { state: "completed" })),
            { workerId: id, limit: 4, now: now + round, leaseMs: LEASE, queues: ["q", "free"] },
          );
          assert.deepEqual(result.refused, []);
          held = result.claimed;
        }
        await store.finishRuns(held.slice(0, 1).map((run) => finished(run, { state: "completed" })));
      };
      await Promise.all(stores.flatMap((store, i) => [worker(store, `w${i}a`), worker(store, `w${i}b`)]));
      toggling = false;
      await toggler;
      const { rows } = await pgQuery(
        `SELECT q.running, (SELECT count(*) FROM "${schema}".jobs WHERE state = 'processing' AND queue = 'q') AS actual
         FROM "${schema}".queues q WHERE q.name = 'q'`,
      );
      const [row] = rows as { running: number; actual: string }[];
      assert.ok(row);
      assert.equal(row.running, Number(row.actual), "the stored count is the number of q's processing jobs");
      const more = await admin.claimJobs("last", 20, now + 100, LEASE, ["q"]);
      assert.equal(more.length, Math.max(0, LIMIT - Number(row.actual)), "a claim gets exactly the free slots");
    } finally {
      for (const store of stores) await store.close();
      await dropSchema(schema);
    }
  });
  it("postgres: a limit set while a run's end is not yet committed counts it once it is", async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const schema = uniqueSchema();
    const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
    const other = new pg.Client({ connectionString: pgSettings(PG_URL).connectionString });
    try {
      await store.migrate();
      await other.connect();
      const now = Date.now();
      await store.insertJobs(Array.from({ length: 10 }, (_, i) => newJob(`q${i}`, now - 100 + i, { queue: "q" })));
      const [ending] = await store.claimJobs("w1", 2, now, LEASE, ["q"]);
      assert.ok(ending);
      // A statement that ended a run of the then unlimited queue, still in its transaction.
      await other.query("BEGIN");
      await other.query(`UPDATE "${schema}".jobs SET state = 'completed', worker_id = NULL WHERE id = $1`, [
        ending.job.id,
      ]);
      let set = false;
      const setting = store.setQueue("q", { concurrency: 5 }).then(() => (set = true));
      await waitFor("the limit set, or waiting for the jobs table", async () => {
        if (set) return true;
        const { rows } = await other.query(
          `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           WHERE NOT l.granted AND c.relname = 'jobs' AND c.relnamespace = $1::regnamespace`,
          [`"${schema}"`],
        );
        return rows.length > 0;
      });
      await other.query("COMMIT");
      await setting;
      const { rows } = await pgQuery(`SELECT running FROM "${schema}".queues WHERE name = 'q'`);
      assert.deepEqual(rows, [{ running: 1 }], "the run that ended meanwhile no longer counts");
      assert.equal((await store.claimJobs("w1", 10, now, LEASE, ["q"])).length, 4);
    } finally {
      await other.end().catch(() => {});
      await store.close();
      await dropSchema(schema);
    }
  });
});
