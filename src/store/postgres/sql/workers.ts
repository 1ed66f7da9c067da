import type { WorkerInfo } from "../../../core/types.js";
import type { Db } from "../db.js";
import type { NewWorker } from "../../../core/store.js";
import { workerInfo, type WorkerRow } from "../rows.js";

/** A worker registering again under the same id (e.g. after being presumed dead) starts afresh. */
export async function registerWorker(db: Db, w: NewWorker): Promise<void> {
  await db.query(
    `INSERT INTO ${db.s}.workers (id, host, pid, slots, started_at, heartbeat_at, stop_requested, queues)
     VALUES ($1, $2, $3, $4, $5, $5, NULL, $6)
     ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, slots = EXCLUDED.slots,
       started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at, stop_requested = NULL,
       queues = EXCLUDED.queues`,
    [w.id, w.host, w.pid, w.slots, w.started_at, w.queues ?? null],
  );
}

export async function deregisterWorker(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM ${db.s}.workers WHERE id = $1`, [id]);
}

export async function listWorkers(db: Db): Promise<WorkerInfo[]> {
  const { s } = db;
  const { rows } = await db.query<WorkerRow>(
    `SELECT w.id, w.host, w.pid, w.slots, w.started_at, w.heartbeat_at, w.stop_requested, w.queues,
            (SELECT array_agg(j.id ORDER BY j.id) FROM ${s}.jobs j
             WHERE j.worker_id = w.id AND j.state = 'processing') AS running
     FROM ${s}.workers w ORDER BY w.started_at, w.id`,
  );
  return rows.map(workerInfo);
}

export async function requestStop(db: Db, mode: "drain" | "now", workerId?: string): Promise<number> {
  // "now" overrides an earlier "drain"; a "drain" never weakens an earlier "now".
  const { rowCount } = await db.query(
    `UPDATE ${db.s}.workers
     SET stop_requested = CASE WHEN stop_requested = 'now' THEN 'now' ELSE $1 END
     WHERE $2::text IS NULL OR id = $2`,
    [mode, workerId ?? null],
  );
  return rowCount ?? 0;
}
