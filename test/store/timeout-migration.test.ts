// Jobs written by a version that left `timeout` NULL (meaning "the job-timeout setting at run
// time") get the timeout that meant, once, by a migration: afterwards every job that can still run
// says its timeout itself, in both engines.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { Queue } from "../../src/open.js";
import { MIGRATIONS as PG_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { PG_URL, tempHome } from "../helpers/env.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

/** The schema version before timeouts were resolved at enqueue, in both engines' numbering. */
const SQLITE_BEFORE = 3;
const PG_BEFORE = 2;

/** Rows as an older version wrote them: [id, state, timeout]. */
const OLD_JOBS: [string, string, number | null][] = [
  ["pending-null", "pending", null],
  ["processing-null", "processing", null],
  ["failed-null", "failed", null],
  ["dead-null", "dead", null],
  ["completed-null", "completed", null],
  ["pending-own", "pending", 5],
];

/** What each job's timeout must be after the upgrade, given the timeout the setting stood for. */
function expected(setting: number): Record<string, number | null> {
  return {
    "pending-null": setting,
    "processing-null": setting,
    "failed-null": setting,
    // A dead job can run again (dlq retry): it gets its timeout too.
    "dead-null": setting,
    // A finished job never runs again: its record is left as written.
    "completed-null": null,
    "pending-own": 5,
  };
}

async function timeouts(queue: Queue): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const [id] of OLD_JOBS) out[id] = (await queue.get(id)).timeout;
  return out;
}

/** Stored job-timeout settings and the timeout a NULL stood for under each. */
const CASES: { setting: string | null; means: number }[] = [
  { setting: "42", means: 42 },
  { setting: "0", means: 0 },
  { setting: null, means: 3600 },
  // Out of range or not a number: the version that wrote it used the default (configFromStored).
  { setting: "1e99", means: 3600 },
  { setting: "ten", means: 3600 },
];

describe("migration: NULL timeouts of jobs that can still run [sqlite]", () => {
  const home = tempHome("queuectl-migrate-");
  after(() => home.cleanup());

  for (const [index, { setting, means }] of CASES.entries()) {
    it(`job-timeout ${setting ?? "unset"}: NULL becomes ${means}`, async () => {
      const path = join(home.home, `old-${index}.db`);
      const db = new Database(path);
      for (const sql of SQLITE_MIGRATIONS.slice(0, SQLITE_BEFORE)) db.exec(sql);
      db.pragma(`user_version = ${SQLITE_BEFORE}`);
      const insert = db.prepare(
        `INSERT INTO jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at)
         VALUES (?, 'true', ?, 5, 3, ?, 0, 0, 0)`,
      );
      for (const [id, state, timeout] of OLD_JOBS) insert.run(id, state, timeout);
      if (setting !== null) db.prepare("INSERT INTO settings (key, value) VALUES ('job-timeout', ?)").run(setting);
      db.close();

      const queue = await Queue.open({ db: path });
      try {
        assert.deepEqual(await timeouts(queue), expected(means));
      } finally {
        await queue.close();
      }
    });
  }
});

const skip = await pgSkipReason();

describe("migration: NULL timeouts of jobs that can still run [postgres]", { skip: skip ?? false }, () => {
  for (const { setting, means } of CASES) {
    it(`job-timeout ${setting ?? "unset"}: NULL becomes ${means}`, async () => {
      const schema = uniqueSchema();
      try {
        await pgQuery(`CREATE SCHEMA ${schema}`);
        await pgQuery(`CREATE TABLE ${schema}.migrations (
          version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        for (const migration of PG_MIGRATIONS.filter((m) => m.version <= PG_BEFORE)) {
          await pgQuery(migration.sql(schema));
          await pgQuery(`INSERT INTO ${schema}.migrations (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
        }
        for (const [id, state, timeout] of OLD_JOBS) {
          await pgQuery(
            `INSERT INTO ${schema}.jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at)
             VALUES ($1, 'true', $2, 5, 3, $3, 0, 0, 0)`,
            [id, state, timeout],
          );
        }
        if (setting !== null) {
          await pgQuery(`INSERT INTO ${schema}.settings (key, value) VALUES ('job-timeout', $1)`, [setting]);
        }

        const url = new URL(PG_URL);
        url.searchParams.set("schema", schema);
        const queue = await Queue.open({ db: url.toString() });
        try {
          assert.deepEqual(await timeouts(queue), expected(means));
        } finally {
          await queue.close();
        }
      } finally {
        await dropSchema(schema);
      }
    });
  }
});
