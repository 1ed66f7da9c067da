import { randomBytes } from "node:crypto";
import { escapeIdentifier } from "pg";
import { PG_URL } from "./env.js";
import { pgQuery } from "./pg.js";

/**
 * A PostgreSQL database of its own for one test (dropped afterwards, connections and all), for
 * tests that cut the queue's connections off: doing that to a shared database would disturb the
 * suites running next to it. (test/postgres/restart.test.ts has the same helper inline.)
 */
export async function withDatabase<T>(fn: (url: string, name: string) => Promise<T>): Promise<T> {
  const name = `qctl_test_${randomBytes(6).toString("hex")}`;
  await pgQuery(`CREATE DATABASE ${escapeIdentifier(name)}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString(), name);
  } finally {
    await pgQuery(`ALTER DATABASE ${escapeIdentifier(name)} ALLOW_CONNECTIONS true`).catch(() => {});
    await pgQuery(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  }
}
