import type { Db } from "../db.js";

const ADD = `INSERT INTO run_totals (event, n) VALUES (?, ?) ON CONFLICT (event) DO UPDATE SET n = n + excluded.n`;

/**
 * Runs started, finished (by outcome) and moved to the DLQ, added to run_totals by the statements
 * that start and end runs, one upsert per event and transaction. Triggers counted them before: a
 * trigger makes the claim's and the finish's one-row writes run a trigger program per row, under
 * a statement journal (a copy of every page they change; docs/benchmarks.md).
 */
export class RunTally {
  private readonly counts = new Map<string, number>();

  add(event: string, n = 1): void {
    if (n > 0) this.counts.set(event, (this.counts.get(event) ?? 0) + n);
  }

  /** Writes the counts in the caller's write transaction. */
  save(db: Db): void {
    if (this.counts.size === 0) return;
    const add = db.sql(ADD);
    for (const [event, n] of this.counts) add.run(event, n);
  }
}
