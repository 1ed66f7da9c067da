import type { FastifyInstance, InjectOptions } from "fastify";
import { Queue } from "../../src/core/queue.js";
import { buildApp, type AppOptions } from "../../src/web/server.js";
import { WorkerPool } from "../../src/worker/pool.js";
import { tempHome } from "../helpers/env.js";

export interface Harness {
  app: FastifyInstance;
  queue: Queue;
  home: string;
  db: string;
  /** Sends a request; bodies go as JSON with the Content-Type the API requires. */
  call(method: InjectOptions["method"], url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Runs an in-process worker pool until the returned stop is called. */
  runWorkers(slots?: number): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: <T = Record<string, unknown>>() => T;
}

/** A fresh store in a temp home, the app on it (not listening: requests go through inject). */
export async function openHarness(options: Partial<AppOptions> = {}): Promise<Harness> {
  const { home, db, cleanup } = tempHome("queuectl-web-");
  const queue = await Queue.open({ db });
  const app = await buildApp({ queue, db, ...options });
  const pools: WorkerPool[] = [];
  return {
    app,
    queue,
    home,
    db,
    async call(method, url, body, headers = {}) {
      const hasBody = method !== "GET" && method !== "HEAD";
      const response = await app.inject({
        method,
        url,
        headers: { ...(hasBody ? { "content-type": "application/json" } : {}), ...headers },
        payload: hasBody && body !== undefined ? JSON.stringify(body) : undefined,
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.body,
        json: <T>() => JSON.parse(response.body) as T,
      };
    },
    async runWorkers(slots = 2) {
      const pool = new WorkerPool(queue, { slots });
      pools.push(pool);
      await pool.start();
      return () => pool.stop("now");
    },
    async close() {
      await Promise.all(pools.map((pool) => pool.stop("now")));
      await app.close();
      await queue.close();
      cleanup();
    },
  };
}
