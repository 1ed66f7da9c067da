import type { QueueChange, QueueInfo, QueueSettings } from "../../../core/queues.js";
import { queueInfos } from "../../shared/queues.js";
import type { Db } from "../db.js";
import { inTransaction } from "../transaction.js";
import { setQueueSql } from "./queue-running.js";

/**
 * The row is created if need be and only the given settings change. Setting a limit also counts
 * the queue's running jobs, under a lock that keeps every claim and finish out meanwhile (see
 * queue-running.ts): one transaction, rare enough that the pause of the queue's writers is cheap.
 */
export async function setQueue(db: Db, name: string, change: QueueChange): Promise<QueueSettings> {
  const params = [name, change.paused ?? null, change.concurrency !== undefined, change.concurrency ?? null];
  const sql = setQueueSql(db.s);
  if (typeof change.concurrency !== "number") {
    const { rows } = await db.query<QueueSettings>(sql, params);
    return rows[0] as QueueSettings;
  }
  return inTransaction(db, async (query) => {
    await query(`LOCK TABLE ${db.s}.jobs IN SHARE MODE`);
    const { rows } = await query<QueueSettings>(sql, params);
    return rows[0] as QueueSettings;
  });
}

/** Settings and jobs per state of every queue (counting by queue reads every job: not a hot path). */
export async function listQueues(db: Db): Promise<QueueInfo[]> {
  const settings = await db.query<QueueSettings>(`SELECT name, paused, concurrency FROM ${db.s}.queues`);
  const counts = await db.query<{ queue: string; state: string; n: string }>(
    `SELECT queue, state, count(*) AS n FROM ${db.s}.jobs GROUP BY queue, state`,
  );
  return queueInfos(settings.rows, counts.rows);
}
