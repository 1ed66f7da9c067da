import type { Command } from "commander";
import { storeLocation } from "../../core/paths.js";
import { MAX_SLOTS } from "../../core/workers.js";
import { Queue } from "../../open.js";
import { intOption } from "../context.js";
import { logFormatOption, logLevelOption, type LogOptions } from "../log-options.js";

type WebOptions = { host: string; port: number; token?: string; workers: number } & LogOptions;

export function registerWeb(program: Command): void {
  program
    .command("web")
    .description("serve the dashboard and the JSON API (default http://127.0.0.1:5000)")
    .option("--host <host>", "address to bind; anything but loopback needs a token", "127.0.0.1")
    .option("-p, --port <port>", "port (0 = any free port)", intOption(0, 65535), 5000)
    .option("--token <token>", "access token required by every page and API call (default: $QUEUECTL_TOKEN)")
    .option("-w, --workers <n>", "also run an embedded worker pool with N slots (0 = none)", intOption(0, MAX_SLOTS), 0)
    .addOption(logFormatOption())
    .addOption(logLevelOption("at debug, every HTTP request too"))
    .action(async (options: WebOptions, command: Command) => {
      const db = storeLocation(command.optsWithGlobals<{ db?: string }>().db);
      const token = options.token ?? (process.env.QUEUECTL_TOKEN || undefined);
      // Loaded here, not at the top: Fastify would add ~90 ms to the start of every other command.
      const { startWebServer } = await import("../../web/server.js");
      const queue = await Queue.open({ db });
      const log = await (await import("../logger.js")).createLogger(options);
      // Fastify's line per request is noise, unless asked for.
      const requestLog = log.isLevelEnabled("debug") ? log.child({ event: "http.request" }) : undefined;
      let server;
      try {
        server = await startWebServer({
          queue,
          db,
          host: options.host,
          port: options.port,
          token,
          workers: options.workers,
          log,
          requestLog,
        });
      } catch (error) {
        await queue.close();
        throw error;
      }
      const slots = options.workers > 0 ? `${options.workers} embedded worker slots` : "no embedded workers";
      log.info(
        { event: "web.listening", url: server.url, store: queue.location, workers: options.workers },
        `queuectl dashboard: ${server.url}${token ? "?token=<your token>" : ""} (store: ${queue.location}; ${slots}; Ctrl-C to stop)`,
      );
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = () => {
          signals++;
          if (signals === 1) {
            log.info({ event: "web.stopping" }, "stopping: draining running jobs (Ctrl-C again to stop at once)");
          }
          void server.close(signals === 1 ? "drain" : "now").then(resolve);
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });
      await queue.close();
    });
}
