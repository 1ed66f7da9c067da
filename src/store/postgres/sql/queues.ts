import type { QueueChange, QueueInfo, QueueSettings } from "../../../core/queues.js";
import { queueInfos } from "../../shared/queues.js";
import type { Db } from "../db.js";

/** One statement: the row is created if need be and only the given settings change. */
export async function setQueue(db: Db, name: string, change: QueueChange): Promise<QueueSettings> {
  const { rows } = await db.query<QueueSettings>(
    `INSERT INTO ${db.s}.queues AS q (name, paused, concurrency) VALUES ($1, coalesce($2, false), $4)
     ON CONFLICT (name) DO UPDATE SET
       paused = coalesce($2, q.paused),
       concurrency = CASE WHEN $3 THEN $4 ELSE q.concurrency END
     RETURNING name, paused, concurrency`,
    [name, change.paused ?? null, change.concurrency !== undefined, change.concurrency ?? null],
  );
  return rows[0] as QueueSettings;
}

/** Settings and jobs per state of every queue (counting by queue reads every job: not a hot path). */
export async function listQueues(db: Db): Promise<QueueInfo[]> {
  const settings = await db.query<QueueSettings>(`SELECT name, paused, concurrency FROM ${db.s}.queues`);
  const counts = await db.query<{ queue: string; state: string; n: string }>(
    `SELECT queue, state, count(*) AS n FROM ${db.s}.jobs GROUP BY queue, state`,
  );
  return queueInfos(settings.rows, counts.rows);
}
