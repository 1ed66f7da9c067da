import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Queue } from "../core/queue.js";
import { WorkerPool } from "../worker/pool.js";
import { spawnDetachedWorker } from "../worker/detach.js";
import { silentLog, type Log } from "../worker/log.js";
import { ChangeFeed } from "./change-feed.js";
import { errorHandler, HttpError } from "./http-errors.js";
import { listen } from "./listen.js";
import { registerCancel } from "./routes/cancel.js";
import { registerConfig } from "./routes/config.js";
import { registerDlq } from "./routes/dlq.js";
import { registerEvents } from "./routes/events.js";
import { registerJobs } from "./routes/jobs.js";
import { registerJobActions } from "./routes/job-actions.js";
import { registerMetrics } from "./routes/metrics.js";
import { registerPrometheus } from "./routes/prometheus.js";
import { registerQueues } from "./routes/queues.js";
import { registerSchedules } from "./routes/schedules.js";
import { registerStatus } from "./routes/status.js";
import { registerWorkers, type StartWorkers } from "./routes/workers.js";
import { checkBind, installSecurity } from "./security.js";
import { registerStatic } from "./static.js";

export interface AppOptions {
  queue: Queue;
  /** Access token; when set, every request must present it. */
  token?: string;
  /** The store location, handed to worker processes started from the dashboard. */
  db: string;
  /** How `POST /api/workers/start` starts workers; default: a detached `queuectl worker start`. */
  startWorkers?: StartWorkers;
  /** Errors, the live feed's trouble and the embedded pool's events. Default: nowhere. */
  log?: Log;
  /** Fastify's own log of every request (off when absent: one line per request is noise). */
  requestLog?: FastifyBaseLogger;
}

/**
 * The HTTP face: JSON API under /api/ and the dashboard at /. Routes only parse, call the Queue and
 * format; no queue rule lives here. Usable with `app.inject()` in tests; `close()` ends live streams.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const log = options.log ?? silentLog;
  const settings = { bodyLimit: 1024 * 1024, return503OnClosing: true };
  const app: FastifyInstance = options.requestLog
    ? Fastify({ ...settings, loggerInstance: options.requestLog })
    : Fastify({ ...settings, logger: false });

  // An empty JSON body (a POST with nothing to say, e.g. retry) is "no body", not a parse error.
  // "__proto__" / "constructor" keys are kept as plain own keys (JSON.parse never touches a
  // prototype): the strict body schemas then name them as unknown fields, as the CLI does.
  const json = app.getDefaultJsonParser("ignore", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    json(request, text, done);
  });

  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((request) => {
    throw new HttpError(404, `not found: ${request.method} ${request.url.split("?")[0] ?? ""}`);
  });
  installSecurity(app, { token: options.token });

  const feed = new ChangeFeed(options.queue, log);
  const streams = new Set<() => void>();
  // Live streams never end on their own; close them so `app.close()` does not wait forever.
  app.addHook("preClose", async () => {
    for (const end of [...streams]) end();
    feed.stop();
  });

  const startWorkers: StartWorkers =
    options.startWorkers ?? ((count) => spawnDetachedWorker({ count, db: options.db }));

  registerStatus(app, options.queue);
  registerJobs(app, options.queue);
  registerCancel(app, options.queue);
  registerJobActions(app, options.queue);
  registerDlq(app, options.queue);
  registerMetrics(app, options.queue);
  registerPrometheus(app, options.queue);
  registerConfig(app, options.queue);
  registerSchedules(app, options.queue);
  registerWorkers(app, options.queue, startWorkers);
  registerQueues(app, options.queue);
  registerEvents(app, feed, streams);
  registerStatic(app);
  await app.ready();
  return app;
}

export interface WebServerOptions extends AppOptions {
  host: string;
  port: number;
  /** Slots of a worker pool run inside the server process (0 or absent: none). */
  workers?: number;
}

export interface WebServer {
  url: string;
  /** Stops serving, then drains the embedded pool (or stops it at once with "now"). */
  close(mode?: "drain" | "now"): Promise<void>;
}

/**
 * Serves the API and dashboard. Refuses a non-loopback host without a token (before binding).
 * With `workers` > 0 an in-process WorkerPool runs jobs too, so `npm start` is one command.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  checkBind(options.host, options.token);
  const app = await buildApp(options);
  const url = await listen(app, options.host, options.port);

  let pool: WorkerPool | null = null;
  if (options.workers !== undefined && options.workers > 0) {
    pool = new WorkerPool(options.queue, { slots: options.workers, log: options.log });
    try {
      await pool.start();
    } catch (error) {
      await app.close();
      throw error;
    }
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    close(mode = "drain") {
      closing ??= (async () => {
        await app.close();
        await pool?.stop(mode);
      })();
      return closing;
    },
  };
}
