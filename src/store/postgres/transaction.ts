import type pg from "pg";
import { isConnectionError, unavailable, type Db, type Param } from "./db.js";

/** A statement inside a transaction. */
export type TxQuery = <R extends pg.QueryResultRow>(text: string, values?: Param[]) => Promise<pg.QueryResult<R>>;

/**
 * Several statements as one transaction, for the few writes one statement cannot express (an
 * enqueue with unique keys decides job by job). Not retried here: the caller's retry keeps it.
 */
export async function transaction<T>(db: Db, work: (query: TxQuery) => Promise<T>): Promise<T> {
  const client = await db.pool.connect().catch((error: unknown) => {
    throw unavailable(db.settings.location, error);
  });
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work((text, values = []) => client.query(text, values as unknown[]));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (isConnectionError(error)) broken = error as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw db.mapError(error);
  } finally {
    client.release(broken);
  }
}
