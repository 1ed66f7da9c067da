import { randomBytes } from "node:crypto";
import pg from "pg";
import { pgSettings } from "../../src/store/postgres/config.js";
import { IS_CI, PG_URL } from "./env.js";

/** A fresh schema name for one test or suite: several runs can share one database. */
export function uniqueSchema(prefix = "qctl_test_"): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

/** Runs one statement on a short-lived connection of its own. */
export async function pgQuery(sql: string, values: unknown[] = [], url = PG_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: pgSettings(url).connectionString, connectionTimeoutMillis: 3000 });
  // A connection that dies mid-query (a test terminating backends) also emits "error"; the query's
  // rejection already reports it, and an unhandled "error" would end the test process.
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/**
 * Runs `fn` with a database of its own (URL and name), dropped afterwards: a test that cuts off or
 * terminates its database's connections disturbs no other test.
 */
export async function withDatabase<T>(fn: (url: string, name: string) => Promise<T>): Promise<T> {
  const name = `qctl_test_${randomBytes(6).toString("hex")}`;
  await pgQuery(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString(), name);
  } finally {
    await pgQuery(`ALTER DATABASE ${pg.escapeIdentifier(name)} ALLOW_CONNECTIONS true`).catch(() => {});
    await pgQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }
}

export async function dropSchema(schema: string, url = PG_URL): Promise<void> {
  await pgQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`, [], url);
}

/**
 * Why PostgreSQL suites cannot run, or null when they can. Under CI the answer is always null (the
 * suites run and fail loudly if the server is missing); elsewhere an unreachable server skips them
 * with this one line.
 */
export async function pgSkipReason(url = PG_URL): Promise<string | null> {
  if (IS_CI) return null;
  try {
    await pgQuery("SELECT 1", [], url);
    return null;
  } catch (error) {
    const reason =
      error instanceof Error && error.message ? error.message : String((error as { code?: unknown }).code ?? error);
    return `PostgreSQL not reachable at ${url} (${reason}); set QUEUECTL_TEST_PG or start it to run these tests`;
  }
}
