import type { Command } from "commander";
import { percent } from "../../core/format.js";
import { parseQueueName } from "../../core/queues.js";
import { withQueue } from "../context.js";
import { color, duration, keyValues, printJson, text } from "../format.js";
import { queueOption } from "./queue.js";

export function registerMetrics(program: Command): void {
  program
    .command("metrics")
    .description(
      "totals, success rate, durations (avg, p50, p95), fastest and slowest job, throughput; of all queues or one",
    )
    .addOption(queueOption("only the jobs and runs of this queue (one no job names has zeros)"))
    .option("--json", "print JSON (with `queue`: the queue, or null for all)")
    .action(async (options: { json?: boolean; queue?: string }, command: Command) => {
      // Validated before the store is opened: a bad name is a usage error (exit 2).
      const only = options.queue === undefined ? null : parseQueueName(options.queue);
      await withQueue(command, async (queue) => {
        const m = await queue.metrics(only);
        if (options.json) return printJson({ ...m, queue: only });
        const rows: [string, string][] = [
          ...(only === null ? [] : [["queue", text(only)] as [string, string]]),
          [
            "jobs",
            `${m.total_jobs} (${Object.entries(m.counts)
              .map(([s, n]) => `${s} ${n}`)
              .join(", ")})`,
          ],
          ["runs", `${m.attempts_total} finished, ${m.attempts_failed} failed`],
          ["success rate", `${percent(m.success_rate, "-")} ${color.dim("(completed / (completed + dead))")}`],
          [
            "duration",
            `avg ${duration(m.duration_ms.avg)}, p50 ${duration(m.duration_ms.p50)}, p95 ${duration(m.duration_ms.p95)}`,
          ],
          ["fastest", m.fastest ? `${text(m.fastest.job_id)} in ${duration(m.fastest.duration_ms)}` : "-"],
          ["slowest", m.slowest ? `${text(m.slowest.job_id)} in ${duration(m.slowest.duration_ms)}` : "-"],
          [
            "throughput",
            `${m.throughput.last_minute}/min over the last minute (${m.throughput.per_second_last_minute.toFixed(2)}/s), ${m.throughput.last_hour.toFixed(1)}/min over the last hour`,
          ],
        ];
        console.log(keyValues(rows));
      });
    });
}
