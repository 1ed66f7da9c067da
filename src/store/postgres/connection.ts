import pg from "pg";
import type { PgSettings } from "./config.js";

/** The options shared by the pool, the dedicated LISTEN client and one-off retry clients. */
export function connectionConfig(settings: PgSettings): pg.ClientConfig {
  return {
    connectionString: settings.connectionString,
    // Names the queue in pg_stat_activity (and lets an operator or a test find its connections).
    application_name: `queuectl:${settings.schema}`.slice(0, 63),
    statement_timeout: settings.statementTimeoutMs || undefined,
    // A transaction left open by a stuck client must not hold row locks forever.
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: { getTypeParser },
  };
}

/**
 * bigint (int8) comes back as a string by default because it may exceed 2^53. Our bigints are
 * epoch milliseconds, sequence numbers and counts, all far below that: parse them as numbers.
 * Scoped to our own connections so a library user's global pg types are untouched.
 */
const INT8_OID = 20;
const getTypeParser = ((oid: number, format?: "text" | "binary") => {
  if (oid === INT8_OID && format !== "binary") return (value: string) => Number.parseInt(value, 10);
  return pg.types.getTypeParser(oid, format);
}) as typeof pg.types.getTypeParser;

/** The pool every statement of a store goes through, safe against connections that die. */
export function openPool(settings: PgSettings): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(settings), max: settings.poolSize, idleTimeoutMillis: 30_000 });
  // An idle client whose connection dies (server restart, network cut, terminated backend) emits
  // "error" on the pool, which has already dropped it; a new one is opened on the next query.
  pool.on("error", () => {});
  // A checked-out client has no listener of the pool's: its connection dying (the FATAL and the
  // close can arrive in the same read, after the result and before release) would be an unhandled
  // "error" and end the process. Every client gets one of its own for its whole life. Nothing else
  // to do: the query in flight rejects with the error, and release() drops a client that is no
  // longer queryable.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
