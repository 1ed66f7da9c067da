import type { Command } from "commander";
import { intOption } from "../context.js";

export function registerWeb(program: Command): void {
  program
    .command("web")
    .description("serve the dashboard and the JSON API (default http://127.0.0.1:5000)")
    .option("--host <host>", "address to bind; anything but loopback needs --token", "127.0.0.1")
    .option("-p, --port <port>", "port (0 = any free port)", intOption(0, 65535), 5000)
    .option("--token <token>", "access token required by every page and API call (default: $QUEUECTL_TOKEN)")
    .option("-w, --workers <n>", "also run an embedded worker pool with N slots (0 = none)", intOption(0, 256), 0)
    .action(async () => {
      throw new Error("the web dashboard is not built yet");
    });
}
