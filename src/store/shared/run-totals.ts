import { FAILED_OUTCOMES } from "../../core/metrics.js";
import type { FinishedOutcome, QueueRunTotals, RunTotals } from "../../core/store.js";

const OUTCOMES: FinishedOutcome[] = ["completed", ...FAILED_OUTCOMES, "interrupted", "cancelled"];

/** The run totals from the engine's (event, n) rows: every outcome present, zero when no row says. */
export function runTotalsFrom(rows: { event: string; n: number }[]): RunTotals {
  const totals: RunTotals = {
    started: 0,
    dead: 0,
    finished: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as RunTotals["finished"],
  };
  for (const { event, n } of rows) {
    if (event === "started" || event === "dead") totals[event] = n;
    else if (event in totals.finished) totals.finished[event as FinishedOutcome] = n;
  }
  return totals;
}

/** The run totals of each queue from the engine's (queue, event, n) rows, queues in the order given. */
export function runTotalsByQueueFrom(rows: { queue: string; event: string; n: number }[]): QueueRunTotals[] {
  const byQueue = new Map<string, { event: string; n: number }[]>();
  for (const { queue, event, n } of rows) {
    const events = byQueue.get(queue) ?? [];
    events.push({ event, n });
    byQueue.set(queue, events);
  }
  return [...byQueue].map(([queue, events]) => ({ queue, totals: runTotalsFrom(events) }));
}
