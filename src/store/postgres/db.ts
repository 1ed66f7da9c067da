import pg from "pg";
import { QueueError } from "../../core/errors.js";
import type { PgSettings } from "./config.js";
import { busy, isBusyError, isConnectionError, unavailable } from "./connection-errors.js";
import { connectionConfig, openPool } from "./connection.js";

// Connecting and judging connection errors live in their own modules; importers of these from
// db.ts keep working.
export { connectionConfig } from "./connection.js";
export { isConnectionError, unavailable } from "./connection-errors.js";

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
  /**
   * The same pool, for statements that may run twice with the same effect (reads, a heartbeat that
   * sets the same values): one that loses its connection mid-flight is run again at once, once.
   */
  readonly idempotent: Db;
  /** A query that takes longer than this is abandoned and its connection destroyed (see once()). */
  private readonly clientTimeoutMs: number;
  private readonly retryLost: boolean;

  constructor(settings: PgSettings, shared?: Db) {
    this.settings = settings;
    this.s = pg.escapeIdentifier(settings.schema);
    this.clientTimeoutMs = settings.statementTimeoutMs > 0 ? settings.statementTimeoutMs + 5_000 : 0;
    this.retryLost = shared !== undefined;
    this.pool = shared?.pool ?? openPool(settings);
    this.idempotent = shared ? this : new Db(settings, this);
  }

  /**
   * One statement (one implicit transaction, one round trip). Retried when PostgreSQL aborted it
   * for a deadlock or serialization failure — it was rolled back whole, so running it again is safe.
   * After a lost connection (a terminated backend, a dead connection handed out by the pool) it is
   * retried once, at once, on a connection of its own when that is safe: the statement never reached
   * the server, or this is the idempotent view. Otherwise (a write whose commit is in doubt) the
   * error goes to the caller, whose own retry keeps the result.
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: Param[] = [],
    /** Names a hot statement: each connection then parses it once and reuses it (prepared). */
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    let reconnected = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return reconnected ? await this.onFreshConnection<R>(text, values) : await this.once<R>(text, values, name);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if ((code === "40P01" || code === "40001") && attempt < 5) continue;
        if (!reconnected && (error instanceof NotSent || (this.retryLost && isConnectionError(error)))) {
          reconnected = true;
          continue;
        }
        throw this.mapError(error instanceof NotSent ? error.original : error);
      }
    }
  }

  private async once<R extends pg.QueryResultRow>(
    text: string,
    values: Param[],
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // Whatever stops us from getting a connection (refused, timed out, database closed to
      // connections, too many clients) means PostgreSQL is unavailable to us. Not retried at once:
      // a second try would fail the same way (or wait out another connect timeout); the caller's
      // back-off is the retry.
      throw unavailable(this.settings.location, error);
    }
    try {
      const result = await this.withDeadline(client, () =>
        client.query<R>(name ? { name: `${name}:${this.settings.schema}`, text, values } : { text, values }),
      );
      client.release();
      return result;
    } catch (error) {
      client.release(error instanceof NoAnswer || isConnectionError(error) ? (error as Error) : undefined);
      // The pool handed out a connection that had died meanwhile: the statement was never sent.
      if (isNotQueryable(error)) throw new NotSent(error);
      throw error;
    }
  }

  /**
   * statement_timeout bounds a slow query on a live server; this bounds a query on a connection
   * whose peer vanished without a FIN (network drop), which would otherwise wait for TCP to give up
   * (minutes). Destroying the socket makes the query fail, and the client is then dropped.
   */
  private async withDeadline<T>(client: pg.ClientBase, run: () => Promise<T>): Promise<T> {
    let timedOut = false;
    const timer =
      this.clientTimeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            destroySocket(client);
          }, this.clientTimeoutMs)
        : undefined;
    try {
      return await run();
    } catch (error) {
      throw timedOut ? new NoAnswer(this.clientTimeoutMs) : error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /**
   * The retry after a lost connection, on a client of its own: when the server dropped every
   * connection at once (failover, restart, terminated backends), the pool's idle ones are likely
   * dead too and may not have said so yet.
   */
  private async onFreshConnection<R extends pg.QueryResultRow>(
    text: string,
    values: Param[],
  ): Promise<pg.QueryResult<R>> {
    const client = new pg.Client(connectionConfig(this.settings));
    // A connection lost mid-query also emits "error"; the query's rejection reports it.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      throw unavailable(this.settings.location, error);
    }
    try {
      return await this.withDeadline(client, () => client.query<R>({ text, values }));
    } finally {
      void client.end().catch(() => {});
    }
  }

  /**
   * Connection-class failures, and a server short of resources or timing out, become an
   * "unavailable" QueueError (callers wait and retry those); anything else is a bug: kept as is.
   */
  mapError(error: unknown): unknown {
    if (error instanceof QueueError) return error;
    if (isConnectionError(error) || error instanceof NoAnswer) {
      return unavailable(this.settings.location, error);
    }
    if (isBusyError(error)) return busy(this.settings.location, error);
    return error;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

/** The server did not answer within the client-side deadline; the connection was destroyed. */
class NoAnswer extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** The statement never reached the server (no connection, or a dead one): safe to send again. */
class NotSent extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

function isNotQueryable(error: unknown): boolean {
  return error instanceof Error && /is not queryable/.test(error.message);
}

function destroySocket(client: pg.ClientBase): void {
  // node-postgres does not expose the socket in its types; it is `connection.stream` at run time.
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
}
