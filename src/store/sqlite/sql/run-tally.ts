import type { Db } from "../db.js";

const ADD = `INSERT INTO run_totals (event, queue, n) VALUES (?, ?, ?)
  ON CONFLICT (event, queue) DO UPDATE SET n = n + excluded.n`;

/**
 * Runs started, finished (by outcome) and moved to the DLQ, per queue, added to run_totals by the
 * statements that start and end runs, one upsert per event, queue and transaction. Triggers counted
 * them before: a trigger makes the claim's and the finish's one-row writes run a trigger program per
 * row, under a statement journal (a copy of every page they change; docs/benchmarks.md).
 */
export class RunTally {
  private readonly counts = new Map<string, Map<string, number>>();

  add(event: string, queue: string, n = 1): void {
    if (n <= 0) return;
    let byQueue = this.counts.get(event);
    if (!byQueue) this.counts.set(event, (byQueue = new Map()));
    byQueue.set(queue, (byQueue.get(queue) ?? 0) + n);
  }

  /** Writes the counts in the caller's write transaction. */
  save(db: Db): void {
    if (this.counts.size === 0) return;
    const add = db.sql(ADD);
    for (const [event, byQueue] of this.counts) for (const [queue, n] of byQueue) add.run(event, queue, n);
  }
}
