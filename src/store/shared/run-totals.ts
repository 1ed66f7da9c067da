import { FAILED_OUTCOMES } from "../../core/metrics.js";
import type { FinishedOutcome, RunTotals } from "../../core/store.js";

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
