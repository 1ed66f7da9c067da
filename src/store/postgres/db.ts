import pg from "pg";
import { QueueError } from "../../core/errors.js";
import type { PgSettings } from "./config.js";

/** A value node-postgres can send as a query parameter. */
export type Param = string | number | boolean | null | Buffer | readonly (string | number | boolean | null | Buffer)[];

/**
 * The one door to PostgreSQL for every SQL operation: a pool, the quoted schema to splice into SQL,
 * a client-side time limit, and errors mapped to what the faces understand.
 */
export class Db {
  readonly pool: pg.Pool;
  /** The schema as a quoted identifier, ready to prefix table names: `"queuectl".jobs`. */
  readonly s: string;
  readonly settings: PgSettings;
  /** A query that takes longer than this is abandoned and its connection destroyed (see query()). */
  private readonly clientTimeoutMs: number;

  constructor(settings: PgSettings) {
    this.settings = settings;
    this.s = pg.escapeIdentifier(settings.schema);
    this.clientTimeoutMs = settings.statementTimeoutMs > 0 ? settings.statementTimeoutMs + 5_000 : 0;
    this.pool = new pg.Pool({
      ...connectionConfig(settings),
      max: settings.poolSize,
      idleTimeoutMillis: 30_000,
    });
    // An idle client whose connection dies (server restart, network cut) emits "error" on the pool.
    // Unhandled, that would crash the process; the pool already drops the client and opens a new
    // one on the next query, so there is nothing else to do.
    this.pool.on("error", () => {});
  }

  /**
   * One statement (one implicit transaction, one round trip). Retried when PostgreSQL aborted it
   * for a deadlock or serialization failure — it was rolled back whole, so running it again is safe.
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: Param[] = [],
    /** Names a hot statement: each connection then parses it once and reuses it (prepared). */
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<R>(text, values, name);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if ((code === "40P01" || code === "40001") && attempt < 5) continue;
        throw this.mapError(error);
      }
    }
  }

  private async once<R extends pg.QueryResultRow>(text: string, values: Param[], name?: string): Promise<pg.QueryResult<R>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // Whatever stops us from getting a connection (refused, timed out, database closed to
      // connections, too many clients) means PostgreSQL is unavailable to us.
      throw unavailable(this.settings.location, error);
    }
    // statement_timeout bounds a slow query on a live server; this bounds a query on a connection
    // whose peer vanished without a FIN (network drop), which would otherwise wait for TCP to give
    // up (minutes). Destroying the socket makes the query fail, and release(error) drops the client.
    let timedOut = false;
    const timer =
      this.clientTimeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            destroySocket(client);
          }, this.clientTimeoutMs)
        : undefined;
    try {
      const result = await client.query<R>(name ? { name: `${name}:${this.settings.schema}`, text, values } : { text, values });
      client.release();
      return result;
    } catch (error) {
      const broken = timedOut || isConnectionError(error);
      client.release(broken ? (error as Error) : undefined);
      if (timedOut) throw new Error(`no answer within ${this.clientTimeoutMs} ms`);
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Connection-class failures become an "unavailable" QueueError; anything else is a bug: kept as is. */
  mapError(error: unknown): unknown {
    if (error instanceof QueueError) return error;
    if (isConnectionError(error) || /no answer within/.test(String((error as Error)?.message))) {
      return unavailable(this.settings.location, error);
    }
    return error;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

/** The options shared by the pool and the dedicated LISTEN client. */
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

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P01", // admin_shutdown: the server is restarting or our backend was terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
  "3D000", // the database does not exist
  "28000", // invalid authorization
  "28P01", // invalid password
]);

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"))) return true;
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/** The one-line message the faces print when PostgreSQL cannot be reached. */
export function unavailable(location: string, error: unknown): QueueError {
  return new QueueError("unavailable", `cannot reach PostgreSQL at ${location}: ${reason(error)}`);
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node 20 reports a refused connection to a name with several addresses as an AggregateError
  // with an empty message: use the first inner error, or the code.
  let message = error.message;
  if (!message && error instanceof AggregateError) {
    const inner = error.errors.find((e): e is Error => e instanceof Error);
    message = inner?.message ?? "";
  }
  if (!message) message = String((error as { code?: unknown }).code ?? error.name);
  return message.replace(/\s+/g, " ").trim();
}

function destroySocket(client: pg.PoolClient): void {
  // node-postgres does not expose the socket in its types; it is `connection.stream` at run time.
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
}
