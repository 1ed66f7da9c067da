import { Option, type Command } from "commander";
import { invalid } from "../../core/errors.js";
import { storeLocation } from "../../core/paths.js";
import { servedQueues } from "../../core/queues.js";
import { MAX_SLOTS } from "../../core/workers.js";
import { WorkerPool } from "../../worker/pool.js";
import { spawnDetachedWorker } from "../../worker/detach.js";
import { intOption, secondsOption, withQueue } from "../context.js";
import { color, printJson, relative, table, text } from "../format.js";
import { logArgs, logFormatOption, logLevelOption, type LogOptions } from "../log-options.js";
import { waitForStopped } from "../stop-wait.js";
import { tell } from "../tell.js";
import { queueOption } from "./queue.js";

export function registerWorker(program: Command): void {
  const worker = program.command("worker").description("run, list and stop workers");

  worker
    .command("start")
    .description("run a worker with N concurrent slots in the foreground (Ctrl-C drains; twice stops at once)")
    .option("-c, --count <n>", `concurrent jobs (1..${MAX_SLOTS})`, intOption(1, MAX_SLOTS), 1)
    .option("-d, --detach", "run in the background; the log goes to $XDG_STATE_HOME/queuectl/logs/")
    .addOption(queueOption("serve only these queues, comma-separated: a,b (default: every queue)"))
    .addOption(logFormatOption())
    .addOption(logLevelOption())
    .option(
      "--metrics-port <port>",
      "serve Prometheus metrics at http://HOST:PORT/metrics (0 = any free port)",
      intOption(0, 65535),
    )
    .option("--metrics-host <host>", "address for --metrics-port; anything but loopback needs a token", "127.0.0.1")
    .option("--token <token>", "access token the metrics endpoint requires (default: $QUEUECTL_TOKEN)")
    .option("--json", "with --detach: print JSON {pid, log}")
    .action(async (options: WorkerStartOptions, command: Command) => {
      const { db } = command.optsWithGlobals<{ db?: string }>();
      storeLocation(db); // an unknown scheme is a usage error here, not a worker that dies in the background
      if (options.json && !options.detach) throw invalid("worker start: --json goes with --detach");
      const queues = servedQueues(options.queue);
      const metrics = metricsOptions(options, command);
      // Checked here too, so that a refusal is this command's error, not a line in a background log.
      if (metrics) (await import("../../web/security.js")).checkBind(metrics.host, metrics.token);
      if (options.detach) {
        const { pid, log } = await spawnDetachedWorker({
          count: options.count,
          db,
          // The token goes by environment: in the arguments, `ps` would show it.
          args: [
            ...logArgs(options),
            ...(queues ? ["--queue", queues.join(",")] : []),
            ...(metrics ? ["--metrics-port", String(metrics.port), "--metrics-host", metrics.host] : []),
          ],
          env: metrics?.token === undefined ? {} : { QUEUECTL_TOKEN: metrics.token },
        });
        if (options.json) return printJson({ pid, log });
        // The pid alone on stdout, for scripts; the explanation on stderr, for people.
        tell(`worker started in the background: pid ${pid}, log ${log}`);
        console.log(pid);
        return;
      }
      // Loaded here, not at the top: pino would slow the start of every other command.
      const log = await (await import("../logger.js")).createLogger(options);
      await withQueue(command, async (queue) => {
        const pool = new WorkerPool(queue, { slots: options.count, log, queues });
        // Loaded only when asked for: Fastify and prom-client would slow every worker's start.
        const server = metrics
          ? await (await import("../../web/metrics-server.js")).startMetricsServer({ queue, ...metrics, log })
          : null;
        if (server) log.info({ event: "metrics.listening", url: server.url }, `metrics: ${server.url}`);
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          const what = signals === 1 ? "draining (send again to stop at once)" : "stopping now";
          log.info({ event: "worker.signal", worker_id: pool.id, signal }, `${signal}: ${what}`);
          void pool.stop(signals === 1 ? "drain" : "now");
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        try {
          await pool.start();
          // `worker start --detach` waits for this, whatever the log level (detach.ts).
          process.send?.({ event: "worker.started", worker_id: pool.id });
          await pool.done;
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          await server?.close();
        }
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
        const workers = await queue.workerViews(now);
        if (options.json) return printJson(workers);
        if (workers.length === 0) return tell("no workers are running (queuectl worker start)");
        console.log(
          table(
            ["id", "host", "pid", "slots", "queues", "running", "heartbeat", "status"],
            workers.map((w) => [
              text(w.id),
              text(w.host),
              w.pid,
              w.slots,
              w.queues ? text(w.queues.join(",")) : "all",
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

type WorkerStartOptions = LogOptions & {
  count: number;
  detach?: boolean;
  queue?: string;
  metricsPort?: number;
  metricsHost: string;
  token?: string;
  json?: boolean;
};

/** Where the worker serves its metrics, or null for nowhere. */
function metricsOptions(
  options: WorkerStartOptions,
  command: Command,
): { port: number; host: string; token: string | undefined } | null {
  if (options.metricsPort === undefined) {
    if (command.getOptionValueSource("metricsHost") === "cli") {
      throw invalid("--metrics-host: needs --metrics-port", { "metrics-host": "needs --metrics-port" });
    }
    return null;
  }
  const token = options.token ?? (process.env.QUEUECTL_TOKEN || undefined);
  return { port: options.metricsPort, host: options.metricsHost, token };
}
