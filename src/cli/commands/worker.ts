import { Option, type Command } from "commander";
import { invalid } from "../../core/errors.js";
import { workerJson } from "../../core/json.js";
import { storeLocation } from "../../core/paths.js";
import { WorkerPool } from "../../worker/pool.js";
import { spawnDetachedWorker } from "../../worker/detach.js";
import { intOption, secondsOption, withQueue } from "../context.js";
import { color, printJson, relative, table, text } from "../format.js";
import { logLine, serveLogs } from "../output.js";
import { waitForStopped } from "../stop-wait.js";
import { tell } from "../tell.js";

export function registerWorker(program: Command): void {
  const worker = program.command("worker").description("run, list and stop workers");

  worker
    .command("start")
    .description("run a worker with N concurrent slots in the foreground (Ctrl-C drains; twice stops at once)")
    .option("-c, --count <n>", "concurrent jobs (1..256)", intOption(1, 256), 1)
    .option("-d, --detach", "run in the background; the log goes to $QUEUECTL_HOME/logs/")
    .option("--json", "with --detach: print JSON {pid, log}")
    .action(async (options: { count: number; detach?: boolean; json?: boolean }, command: Command) => {
      const { db } = command.optsWithGlobals<{ db?: string }>();
      storeLocation(db); // an unknown scheme is a usage error here, not a worker that dies in the background
      if (options.json && !options.detach) throw invalid("worker start: --json goes with --detach");
      if (options.detach) {
        const { pid, log } = await spawnDetachedWorker({ count: options.count, db });
        if (options.json) return printJson({ pid, log });
        // The pid alone on stdout, for scripts; the explanation on stderr, for people.
        tell(`worker started in the background: pid ${pid}, log ${log}`);
        console.log(pid);
        return;
      }
      // A log that cannot be written (full disk, /dev/full, closed pipe) must not stop the jobs.
      serveLogs();
      await withQueue(command, async (queue) => {
        const pool = new WorkerPool(queue, { slots: options.count, log: logLine });
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          logLine(`${signal}: ${signals === 1 ? "draining (send again to stop at once)" : "stopping now"}`);
          void pool.stop(signals === 1 ? "drain" : "now");
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        await pool.start();
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
    .option("--wait", "return once the workers have exited (or are lost)")
    .addOption(
      new Option("--timeout <seconds>", "with --wait: give up after this long (exit 124)")
        .argParser(secondsOption(365 * 24 * 3600))
        .implies({ wait: true }),
    )
    .option("--json", "print JSON: {asked, mode}")
    .action(
      async (
        options: { now?: boolean; id?: string; wait?: boolean; timeout?: number; json?: boolean },
        command: Command,
      ) => {
        await withQueue(command, async (queue) => {
          const mode = options.now ? "now" : "drain";
          const count = await queue.stopWorkers(mode, options.id);
          if (count === 0) tell("no workers are running");
          else if (options.wait) {
            // A timeout is then the one line said (exit 124).
            await waitForStopped(queue, options.id, options.timeout === undefined ? null : options.timeout * 1000);
            if (!options.json) tell(`${count} worker(s) stopped`);
          } else if (!options.json) tell(`asked ${count} worker(s) to ${options.now ? "stop now" : "drain and stop"}`);
          if (options.json) printJson({ asked: count, mode });
        });
      },
    );

  worker
    .command("list")
    .description("registered workers with their host, pid, slots, running jobs and heartbeat")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const now = Date.now();
        const leaseMs = (await queue.config())["lease-seconds"] * 1000;
        const workers = (await queue.workers()).map((w) => workerJson(w, leaseMs, now));
        if (options.json) return printJson(workers);
        if (workers.length === 0) return tell("no workers are running (queuectl worker start)");
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
