import type pg from "pg";
import { isConnectionError, unavailable, type Db, type Param } from "./db.js";

/** A statement inside a transaction: the same connection as the rest of it. */
export type TxQuery = <R extends pg.QueryResultRow>(text: string, values?: Param[]) => Promise<pg.QueryResult<R>>;

/**
 * Several statements in one transaction on one connection (BEGIN … COMMIT), for the few operations
 * that need a later statement to see what an earlier one locked. Rolled back on any error; run again
 * whole when PostgreSQL aborted it for a deadlock or a serialization failure, as Db.query does.
 */
export async function inTransaction<T>(db: Db, fn: (query: TxQuery) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: pg.PoolClient;
    try {
      client = await db.pool.connect();
    } catch (error) {
      throw unavailable(db.settings.location, error);
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await fn((text, values = []) => client.query({ text, values }));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      // A connection that failed is dropped rather than handed to the next caller.
      if (isConnectionError(error)) broken = error as Error;
      else await client.query("ROLLBACK").catch(() => {});
      const code = (error as { code?: unknown }).code;
      if ((code === "40P01" || code === "40001") && attempt < 5) continue;
      throw db.mapError(error);
    } finally {
      client.release(broken);
    }
  }
}
