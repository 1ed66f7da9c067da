import type { Command } from "commander";
import { queueJson } from "../../core/json.js";
import type { QueueInfo } from "../../core/queues.js";
import { JOB_STATES } from "../../core/types.js";
import { withQueue } from "../context.js";
import { color, printJson, relative, stateLabel, table, text } from "../format.js";

/** One line per named queue: its waiting and running jobs, and what restricts it. */
function queueLine(q: QueueInfo): string {
  const limit = q.concurrency === null ? "" : ` (concurrency ${q.concurrency})`;
  const paused = q.paused ? color.yellow(" · paused") : "";
  const waiting = q.counts.pending + q.counts.failed;
  return `queue ${text(q.name)}: ${waiting} waiting, ${q.running} running${limit}, ${q.counts.dead} dead${paused}`;
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("job counts per state, workers and queue health")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const now = Date.now();
        const [status, queues] = await Promise.all([queue.statusView(now), queue.queues()]);
        if (options.json) {
          // The store's location never holds a password (Store.location).
          printJson({ ...status, store: queue.location, queues: queues.map(queueJson) });
          return;
        }
        console.log(
          table(
            ["state", "jobs"],
            JOB_STATES.map((s) => [stateLabel(s), status.counts[s]]),
          ),
        );
        console.log();
        const { health } = status;
        console.log(
          `workers: ${health.live_workers} alive${health.lost_workers ? color.red(`, ${health.lost_workers} lost`) : ""}` +
            ` · slots ${health.busy_slots}/${health.slots} busy`,
        );
        if (health.oldest_ready_ms !== null) {
          const waited = relative(now - health.oldest_ready_ms, now);
          const warn = health.live_workers === 0 ? color.yellow(" — no worker is running: queuectl worker start") : "";
          console.log(`jobs are waiting for a slot; the oldest became due ${waited}${warn}`);
        } else if (health.next_run_at !== null) {
          console.log(`next scheduled job ${relative(Date.parse(health.next_run_at), now)}`);
        } else {
          console.log("nothing waiting");
        }
        if (queues.length > 0) console.log();
        for (const q of queues) console.log(queueLine(q));
      });
    });
}
