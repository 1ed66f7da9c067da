import type { QueueChange, QueueInfo, QueueSettings } from "../../../core/queues.js";
import { queueInfos } from "../../shared/queues.js";
import type { Db } from "../db.js";

interface SettingsRow {
  name: string;
  paused: 0 | 1;
  concurrency: number | null;
}

const toSettings = (row: SettingsRow): QueueSettings => ({
  name: row.name,
  paused: row.paused === 1,
  concurrency: row.concurrency,
});

/** The queues whose settings restrict a claim: a few rows, read inside the claim's transaction. */
export function restrictingQueues(db: Db): QueueSettings[] {
  const rows = db
    .sql(`SELECT name, paused, concurrency FROM queues WHERE paused = 1 OR concurrency IS NOT NULL`)
    .all() as SettingsRow[];
  return rows.map(toSettings);
}

/**
 * Every queue with waiting jobs, one index step each: the next name after the last one found in
 * jobs_queue_ready (a skip scan, as many steps as there are queues, whatever the number of jobs).
 */
export function readyQueues(db: Db): string[] {
  const next = db.sql(
    `SELECT queue FROM jobs INDEXED BY jobs_queue_ready
     WHERE state IN ('pending', 'failed') AND queue > ? ORDER BY queue LIMIT 1`,
  );
  const names: string[] = [];
  for (let row = next.get("") as { queue: string } | undefined; row; row = next.get(row.queue) as typeof row) {
    names.push(row.queue);
  }
  return names;
}

/** Jobs processing now in each of `names` (processing jobs are few: at most the busy slots). */
export function runningIn(db: Db, names: readonly string[]): Map<string, number> {
  const rows = db
    .sql(
      `SELECT queue, count(*) AS n FROM jobs INDEXED BY jobs_state
       WHERE state = 'processing' AND queue IN (SELECT value FROM json_each(?)) GROUP BY queue`,
    )
    .all(JSON.stringify(names)) as { queue: string; n: number }[];
  return new Map(rows.map((row) => [row.queue, row.n]));
}

export function setQueue(db: Db, name: string, change: QueueChange): QueueSettings {
  return db.write(() => {
    db.sql(`INSERT INTO queues (name) VALUES (?) ON CONFLICT (name) DO NOTHING`).run(name);
    if (change.paused !== undefined) {
      db.sql(`UPDATE queues SET paused = ? WHERE name = ?`).run(change.paused ? 1 : 0, name);
    }
    if (change.concurrency !== undefined) {
      db.sql(`UPDATE queues SET concurrency = ? WHERE name = ?`).run(change.concurrency, name);
    }
    return toSettings(db.sql(`SELECT name, paused, concurrency FROM queues WHERE name = ?`).get(name) as SettingsRow);
  });
}

/**
 * Settings and jobs per state of every queue, from the counts triggers keep (a few rows at any size).
 * A queue whose jobs are all gone and that has no setting is no longer listed.
 */
export function listQueues(db: Db): QueueInfo[] {
  const settings = (db.sql(`SELECT name, paused, concurrency FROM queues`).all() as SettingsRow[]).map(toSettings);
  const counts = db.sql(`SELECT queue, state, n FROM queue_counts WHERE n > 0`).all() as {
    queue: string;
    state: string;
    n: number;
  }[];
  return queueInfos(settings, counts);
}
