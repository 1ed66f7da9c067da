// PostgreSQL: a large enqueue refreshes the jobs table's statistics only when they are far behind
// (the batch is at least as large as the rows they know). ANALYZE after every batch of 1,000 or
// more cost a steadily fed store a full sample of the table per batch, on the server's CPU, and
// threw away the prepared claim's plan each time (the PostgreSQL soak's rate swings).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { NewJob } from "../../src/core/types.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { PG_URL } from "../helpers/env.js";
import { newJob } from "./contract/harness.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

const skip = await pgSkipReason();

describe("postgres: statistics after large enqueues", { skip: skip ?? false }, () => {
  const schema = uniqueSchema();
  let store: PostgresStore;
  let next = 0;
  const jobs = (n: number): NewJob[] => {
    const now = Date.now();
    return Array.from({ length: n }, () => newJob(`j${next++}`, now));
  };
  /** The rows the statistics know: ANALYZE (or VACUUM) sets it, nothing else. */
  const known = async () =>
    Number(
      (
        await pgQuery(`SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)`, [
          `${pg.escapeIdentifier(schema)}.jobs`,
        ])
      ).rows[0].reltuples,
    );

  before(async () => {
    store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
    await store.migrate();
    // Only the enqueues may analyze here: autovacuum would race the figures.
    await pgQuery(`ALTER TABLE ${pg.escapeIdentifier(schema)}.jobs SET (autovacuum_enabled = false)`);
  });
  after(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it("analyzes a burst into a table whose statistics know fewer rows than it brings", async () => {
    await store.insertJobs(jobs(5000));
    assert.equal(await known(), 5000);
  });

  it("does not analyze batches smaller than what the statistics know", async () => {
    for (let i = 0; i < 5; i++) await store.insertJobs(jobs(1000));
    assert.equal(await known(), 5000, "ten thousand jobs, statistics of five thousand: close enough");
  });

  it("analyzes again once a batch is as large as the known rows", async () => {
    await store.insertJobs(jobs(6000));
    assert.equal(await known(), 16_000);
  });
});
