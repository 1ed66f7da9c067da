import type { Command } from "commander";
import { storeLocation } from "../../core/paths.js";
import { MAX_SLOTS } from "../../core/workers.js";
import { WorkerPool } from "../../worker/pool.js";
import { spawnDetachedWorker } from "../../worker/detach.js";
import { intOption, withQueue } from "../context.js";
import { color, printJson, relative, table, text } from "../format.js";
import { logArgs, logFormatOption, logLevelOption, type LogOptions } from "../log-options.js";

export function registerWorker(program: Command): void {
  const worker = program.command("worker").description("run, list and stop workers");

  worker
    .command("start")
    .description("run a worker with N concurrent slots in the foreground (Ctrl-C drains; twice stops at once)")
    .option("-c, --count <n>", `concurrent jobs (1..${MAX_SLOTS})`, intOption(1, MAX_SLOTS), 1)
    .option("-d, --detach", "run in the background; the log goes to $XDG_STATE_HOME/queuectl/logs/")
    .addOption(logFormatOption())
    .addOption(logLevelOption())
    .action(async (options: { count: number; detach?: boolean } & LogOptions, command: Command) => {
      const { db } = command.optsWithGlobals<{ db?: string }>();
      storeLocation(db); // an unknown scheme is a usage error here, not a worker that dies in the background
      if (options.detach) {
        const { pid, log } = await spawnDetachedWorker({ count: options.count, db, args: logArgs(options) });
        // The pid alone on stdout, for scripts; the explanation on stderr, for people.
        console.error(`worker started in the background: pid ${pid}, log ${log}`);
        console.log(pid);
        return;
      }
      // Loaded here, not at the top: pino would slow the start of every other command.
      const log = await (await import("../logger.js")).createLogger(options);
      await withQueue(command, async (queue) => {
        const pool = new WorkerPool(queue, { slots: options.count, log });
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          const what = signals === 1 ? "draining (send again to stop at once)" : "stopping now";
          log.info({ event: "worker.signal", worker_id: pool.id, signal }, `${signal}: ${what}`);
          void pool.stop(signals === 1 ? "drain" : "now");
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        await pool.start();
        // `worker start --detach` waits for this, whatever the log level (detach.ts).
        process.send?.({ event: "worker.started", worker_id: pool.id });
        await pool.done;
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      });
    });

  worker
    .command("stop")
    .description("ask every worker, on any machine, to drain: finish running jobs, take no new ones, exit")
    .option("--now", "stop at once: running jobs are interrupted and go back to pending, no retry used")
    .option("--id <worker>", "only this worker (see worker list)")
    .action(async (options: { now?: boolean; id?: string }, command: Command) => {
      await withQueue(command, async (queue) => {
        const count = await queue.stopWorkers(options.now ? "now" : "drain", options.id);
        console.log(
          count === 0
            ? "no workers are running"
            : `asked ${count} worker(s) to ${options.now ? "stop now" : "drain and stop"}`,
        );
      });
    });

  worker
    .command("list")
    .description("registered workers with their host, pid, slots, running jobs and heartbeat")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const now = Date.now();
        const workers = await queue.workerViews(now);
        if (options.json) return printJson(workers);
        if (workers.length === 0) return console.log(color.dim("no workers are running (queuectl worker start)"));
        console.log(
          table(
            ["id", "host", "pid", "slots", "running", "heartbeat", "status"],
            workers.map((w) => [
              text(w.id),
              text(w.host),
              w.pid,
              w.slots,
              w.running.length
                ? text(`${w.running.length}: ${w.running.slice(0, 3).join(", ")}${w.running.length > 3 ? ", …" : ""}`)
                : "0",
              relative(Date.parse(w.heartbeat_at ?? ""), now),
              w.status === "alive" ? color.green(w.status) : color.yellow(w.status),
            ]),
          ),
        );
      });
    });
}
