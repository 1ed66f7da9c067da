/**
 * One PostgreSQL connection terminated at a chosen moment (`pg_terminate_backend`, 57P01), for each
 * kind of client the store holds: a checked-out pool client between statements, a statement in
 * flight (a read, retried; a write, reported and left to its caller), and the LISTEN connection
 * (reconnects, re-LISTENs, wakes its subscribers). Only this test's own connections are terminated:
 * they are found by the application_name carrying its unique schema.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { QueueError } from "../../src/core/errors.js";
import { pgSettings, type PgSettings } from "../../src/store/postgres/config.js";
import { Db } from "../../src/store/postgres/db.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { PG_URL, waitFor } from "../helpers/env.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

const skip = await pgSkipReason();

describe("faults: one PostgreSQL connection terminated", { skip: skip ?? false }, () => {
  const schema = uniqueSchema();
  const settings: PgSettings = pgSettings(PG_URL, { QUEUECTL_SCHEMA: schema });
  const appName = `queuectl:${schema}`;
  const t = `${pg.escapeIdentifier(schema)}.t`;
  const flags = `${pg.escapeIdentifier(schema)}.flags`;
  let db: Db;

  /** Terminates this test's backends whose current query matches `like`; returns how many. */
  async function terminate(like: string): Promise<number> {
    const { rows } = await pgQuery(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE application_name = $1 AND query LIKE $2 AND pid <> pg_backend_pid()`,
      [appName, like],
    );
    return (rows[0] as { n: number }).n;
  }

  /** Waits until a statement matching `like` is running on one of this test's connections. */
  function running(like: string): Promise<boolean> {
    return waitFor(`a running statement like ${like}`, async () => {
      const { rowCount } = await pgQuery(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2 AND state = 'active'",
        [appName, like],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  before(async () => {
    await pgQuery(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
    await pgQuery(`CREATE TABLE ${t} (n int)`);
    await pgQuery(`CREATE TABLE ${flags} (name text)`);
    db = new Db(settings);
  });
  after(async () => {
    await db?.end();
    await dropSchema(schema);
  });

  it("a checked-out client whose backend dies between statements does not end the process", async () => {
    // What a migration's transaction holds; the FATAL arrives with no query in flight, so nothing
    // but an "error" listener on the client can take it.
    const client = await db.pool.connect();
    const ended = new Promise((resolve) => client.once("end", resolve));
    await client.query("SELECT 'between statements'");
    assert.equal(await terminate("SELECT 'between statements'"), 1);
    await ended;
    await assert.rejects(client.query("SELECT 1"), /not queryable|terminat/);
    client.release(new Error("connection lost"));
    // The pool opens a fresh connection for the next statement.
    assert.equal((await db.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one, 1);
  });

  it("a read whose backend dies mid-statement is run again at once on a fresh connection", async () => {
    // Slow until the flag is set, so the statement is surely in flight when it is terminated and
    // the retry is quick.
    const read = db.idempotent.query<{ answer: number }>(
      `SELECT 42 AS answer, pg_sleep(CASE WHEN EXISTS (SELECT FROM ${flags}) THEN 0 ELSE 10 END) AS read_mid`,
    );
    await running("%read_mid%");
    await pgQuery(`INSERT INTO ${flags} VALUES ('retry')`);
    assert.equal(await terminate("%read_mid%"), 1);
    const result = await read;
    assert.equal(result.rows[0]?.answer, 42, "the read answered after one retry");
  });

  it("a write whose backend dies mid-statement is reported unavailable and not run again", async () => {
    const write = db
      .query(`WITH w AS (INSERT INTO ${t} VALUES (1) RETURNING n) SELECT pg_sleep(10) AS write_mid FROM w`)
      .then(
        () => new Error("the write succeeded although its connection was terminated"),
        (e: unknown) => e,
      );
    await running("%write_mid%");
    assert.equal(await terminate("%write_mid%"), 1);
    const error = await write;
    assert.ok(
      error instanceof QueueError && error.kind === "unavailable",
      `not an unavailable error: ${String(error)}`,
    );
    assert.match(error.message, /cannot reach PostgreSQL .*terminating connection/);
    // Rolled back with its connection, and not sent again behind the caller's back.
    assert.equal((await pgQuery(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n, 0);
  });

  it("the LISTEN connection reconnects, listens again and wakes its subscribers", async () => {
    const store = await PostgresStore.connect(PG_URL, { QUEUECTL_SCHEMA: schema });
    try {
      let wakes = 0;
      const unsubscribe = store.subscribe(() => wakes++);
      await store.listening();
      assert.equal(await terminate("LISTEN %"), 1);
      // Notifications sent while it was away are lost: the reconnect itself wakes every subscriber.
      await waitFor("a wake-up after the LISTEN reconnect", () => wakes >= 1, { timeoutMs: 10_000 });
      await store.listening();
      const before = wakes;
      await pgQuery("SELECT pg_notify($1, '')", [store.channel]);
      await waitFor("a NOTIFY after the reconnect to be heard", () => wakes > before, { timeoutMs: 10_000 });
      unsubscribe();
    } finally {
      await store.close();
    }
  });
});
