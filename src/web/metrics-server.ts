import Fastify from "fastify";
import type { Queue } from "../core/queue.js";
import { errorHandler, HttpError } from "./http-errors.js";
import { listen } from "./listen.js";
import { registerPrometheus } from "./routes/prometheus.js";
import { checkBind, installSecurity } from "./security.js";
import { silentLog, type Log } from "../worker/log.js";

export interface MetricsServerOptions {
  queue: Queue;
  host: string;
  port: number;
  /** Access token; required off loopback, as for the web server. */
  token?: string;
  log?: Log;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9400/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics alone, for a worker run without a dashboard: the web server's route behind the web
 * server's security (bind rule, token, Host check), and nothing else.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  checkBind(options.host, options.token);
  const app = Fastify({ logger: false, return503OnClosing: true });
  app.setErrorHandler(errorHandler(options.log ?? silentLog));
  app.setNotFoundHandler((request) => {
    throw new HttpError(404, `not found: ${request.method} ${request.url.split("?")[0] ?? ""}; try /metrics`);
  });
  installSecurity(app, { token: options.token });
  registerPrometheus(app, options.queue);
  const base = await listen(app, options.host, options.port);
  return { url: `${base}metrics`, close: () => app.close() };
}
