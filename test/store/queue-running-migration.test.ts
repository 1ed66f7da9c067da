// Upgrading a PostgreSQL store whose limited queues have jobs running: the migration that keeps the
// running count on the queue rows starts each limited queue's count from its processing jobs, and
// the limit holds across the upgrade.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { PG_URL } from "../helpers/env.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";
import { finished, LEASE, mustGet } from "./contract.js";

const NOW = Date.now();

/** Queue `q` limited to 2 with 2 running and 3 waiting, `s` limited and paused with 1 running, `r` unlimited with 1 running. */
const BEFORE = (s: string) => {
  const job = (id: string, queue: string, running: boolean) =>
    `('${id}', '${queue}', 'true', '${running ? "processing" : "pending"}', 5, 3, ${NOW - 1000}, ${NOW - 1000},
      ${NOW - 1000}, ${running ? 1 : 0}, ${running ? 1 : 0}, ${running ? "'old'" : "NULL"},
      ${running ? NOW + 60_000 : "NULL"}, ${running ? NOW - 500 : "NULL"})`;
  const jobs = [
    job("q-run1", "q", true),
    job("q-run2", "q", true),
    ...[1, 2, 3].map((i) => job(`q-wait${i}`, "q", false)),
    job("s-run", "s", true),
    job("s-wait", "s", false),
    job("r-run", "r", true),
  ];
  return `
    INSERT INTO ${s}.jobs (id, queue, command, state, priority, max_retries, run_at, created_at, updated_at,
      attempts, last_attempt, worker_id, lease_until, started_at) VALUES ${jobs.join(", ")};
    INSERT INTO ${s}.attempts (job_id, number, worker_id, outcome, started_at)
      SELECT id, 1, 'old', 'running', started_at FROM ${s}.jobs WHERE state = 'processing';
    INSERT INTO ${s}.queues (name, paused, concurrency) VALUES ('q', false, 2), ('s', true, 1), ('r', true, NULL);`;
};

describe("upgrade to running counts on limited queues", () => {
  it("postgres", async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const schema = uniqueSchema();
    const s = `"${schema}"`;
    try {
      const mine = MIGRATIONS.findIndex((m) => m.name.startsWith("running jobs of limited queues"));
      assert.ok(mine > 0);
      const before = MIGRATIONS.slice(0, mine);
      await pgQuery(`CREATE SCHEMA ${s};
        CREATE TABLE ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now());
        ${before.map((m) => m.sql(s)).join(";\n")};
        INSERT INTO ${s}.migrations (version, name) VALUES ${before.map((m) => `(${m.version}, 'm')`).join(", ")};
        ${BEFORE(s)}`);
      const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
      try {
        await store.migrate();
        const { rows } = await pgQuery(`SELECT name, running FROM ${s}.queues ORDER BY name`);
        assert.deepEqual(
          (rows as { name: string; running: number | null }[]).map((row) => [row.name, row.running]),
          [
            ["q", 2],
            ["r", null],
            ["s", 1],
          ],
        );
        assert.deepEqual(await store.claimJobs("w1", 10, NOW, LEASE, ["q"]), [], "q is full");
        const run = { job: await mustGet(store, "q-run1"), attempt: 1 };
        assert.deepEqual(await store.finishRuns([finished(run, { state: "completed" })]), []);
        const next = await store.claimJobs("w1", 10, NOW, LEASE, ["q"]);
        assert.deepEqual(
          next.map((c) => c.job.id),
          ["q-wait1"],
          "the run that ended frees exactly one slot",
        );
      } finally {
        await store.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
