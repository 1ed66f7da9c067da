import type { NewWorker } from "../../../core/store.js";
import type { WorkerInfo } from "../../../core/types.js";
import type { Db } from "../db.js";

/** A worker registering again under the same id (e.g. after being presumed dead) starts afresh. */
export function registerWorker(db: Db, worker: NewWorker): void {
  db.sql(
    `INSERT INTO workers (id, host, pid, slots, started_at, heartbeat_at, stop_requested, queues)
     VALUES (@id, @host, @pid, @slots, @started_at, @started_at, NULL, @queues)
     ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, slots = excluded.slots,
       started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stop_requested = NULL,
       queues = excluded.queues`,
  ).run({ ...worker, queues: worker.queues ? JSON.stringify(worker.queues) : null });
}

export function deregisterWorker(db: Db, id: string): void {
  db.sql(`DELETE FROM workers WHERE id = ?`).run(id);
}

export function listWorkers(db: Db): WorkerInfo[] {
  const rows = db
    .sql(
      `SELECT w.id, w.host, w.pid, w.slots, w.started_at, w.heartbeat_at, w.stop_requested, w.queues,
              (SELECT json_group_array(id) FROM (SELECT j.id FROM jobs j
                WHERE j.worker_id = w.id AND j.state = 'processing' ORDER BY j.id)) AS running
       FROM workers w ORDER BY w.started_at, w.id`,
    )
    .all() as (Omit<WorkerInfo, "running" | "queues"> & { running: string; queues: string | null })[];
  return rows.map((row) => ({
    ...row,
    running: JSON.parse(row.running) as string[],
    queues: row.queues === null ? null : (JSON.parse(row.queues) as string[]),
  }));
}

export function requestStop(db: Db, mode: "drain" | "now", workerId?: string): number {
  // "now" overrides an earlier "drain"; a "drain" never weakens an earlier "now".
  return db
    .sql(
      `UPDATE workers SET stop_requested = CASE WHEN stop_requested = 'now' THEN 'now' ELSE @mode END
       WHERE @id IS NULL OR id = @id`,
    )
    .run({ mode, id: workerId ?? null }).changes;
}
