import type { Command } from "commander";
import { storeLocation } from "../../core/paths.js";
import { MAX_SLOTS } from "../../core/workers.js";
import { Queue } from "../../open.js";
import { intOption } from "../context.js";
import { logLine, serveLogs, writeLog } from "../output.js";

export function registerWeb(program: Command): void {
  program
    .command("web")
    .description("serve the dashboard and the JSON API (default http://127.0.0.1:5000)")
    .option("--host <host>", "address to bind; anything but loopback needs a token", "127.0.0.1")
    .option("-p, --port <port>", "port (0 = any free port)", intOption(0, 65535), 5000)
    .option("--token <token>", "access token required by every page and API call (default: $QUEUECTL_TOKEN)")
    .option("-w, --workers <n>", "also run an embedded worker pool with N slots (0 = none)", intOption(0, MAX_SLOTS), 0)
    .action(async (options: { host: string; port: number; token?: string; workers: number }, command: Command) => {
      const db = storeLocation(command.optsWithGlobals<{ db?: string }>().db);
      const token = options.token ?? (process.env.QUEUECTL_TOKEN || undefined);
      // Loaded here, not at the top: Fastify would add ~90 ms to the start of every other command.
      const { startWebServer } = await import("../../web/server.js");
      const queue = await Queue.open({ db });
      // A log that cannot be written (full disk, /dev/full, closed pipe) must not stop the server.
      serveLogs();
      const log = logLine;
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
        });
      } catch (error) {
        await queue.close();
        throw error;
      }
      writeLog(`queuectl dashboard: ${server.url}${token ? "?token=<your token>" : ""}\n`);
      const slots = options.workers > 0 ? `${options.workers} embedded worker slots` : "no embedded workers";
      writeLog(`store: ${queue.location}; ${slots}; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = () => {
          signals++;
          if (signals === 1) log("stopping: draining running jobs (Ctrl-C again to stop at once)");
          void server.close(signals === 1 ? "drain" : "now").then(resolve);
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });
      await queue.close();
    });
}
