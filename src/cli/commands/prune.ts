import { Option, type Command } from "commander";
import type { PruneResult } from "../../core/prune.js";
import { PRUNABLE_STATES } from "../../core/retention.js";
import { completes } from "../completion/spec.js";
import { withQueue } from "../context.js";
import { printJson, table } from "../format.js";
import { tell } from "../tell.js";

const WHATS = [...PRUNABLE_STATES, "output"];

export function registerPrune(program: Command): void {
  program
    .command("prune")
    .description("delete finished jobs (and drop old output) past their retention now; workers also do it on their own")
    .addOption(
      completes(
        new Option("--state <state>", `only this: ${WHATS.join(" | ")} (output: the output of finished runs)`),
        {
          kind: "words",
          words: WHATS,
        },
      ),
    )
    .option(
      "--older-than <duration>",
      "instead of the retention settings: finished longer ago than this (7d, 12h, 30m, seconds)",
    )
    .option("--dry-run", "only count what would be removed")
    .option(
      "--vacuum",
      "then rewrite the SQLite file (VACUUM) to give all free space back; needed once for a store made before retention",
    )
    .option("--json", "print JSON: [{what, before, removed}]")
    .addHelpText(
      "after",
      `
Retention settings (queuectl config set KEY DURATION; 0 = keep forever):
  retention-completed (7d), retention-dead (30d), retention-cancelled (7d), retention-output (7d)
Pending, scheduled, failed (awaiting a retry) and running jobs are never pruned. Counts and charts
keep the history of pruned runs (per-minute and per-hour sums).`,
    )
    .action(
      async (
        options: { state?: string; olderThan?: string; dryRun?: boolean; vacuum?: boolean; json?: boolean },
        command: Command,
      ) => {
        const results = await withQueue(command, (queue) => queue.prune(options));
        if (options.json) {
          return printJson(
            results.map((r) => ({ what: r.what, before: new Date(r.before).toISOString(), removed: r.removed })),
          );
        }
        if (results.length === 0) return tell("nothing to prune: every retention is 0 (keep forever)");
        console.log(table(["what", "finished before", options.dryRun ? "would remove" : "removed"], results.map(row)));
      },
    );
}

function row(result: PruneResult): string[] {
  const what = result.what === "output" ? "output of runs" : `${result.what} jobs`;
  return [what, new Date(result.before).toISOString(), String(result.removed)];
}
