import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { FastifyInstance, InjectOptions } from "fastify";
import { Queue } from "../../src/open.js";
import { buildApp, type AppOptions } from "../../src/web/server.js";
import { WorkerPool } from "../../src/worker/pool.js";
import { BIN, stopProcess } from "../helpers/cli.js";
import { tempHome, waitFor } from "../helpers/env.js";

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

/** `queuectl web` as a real process (its own pid, its own memory), on a free loopback port. */
export interface ServerProcess {
  pid: number;
  /** Base URL without the trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  child: ChildProcess;
  output: () => string;
  /** VmRSS of the server process in bytes (from /proc); 0 once it is gone. */
  rss: () => number;
  stop: () => Promise<void>;
}

/**
 * Starts the built CLI's `web` command with `env` added (QUEUECTL_HOME, QUEUECTL_DB…) and waits
 * for the URL it prints. `node` runs it with another node binary (a fault test's copy).
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { node?: string; args?: string[] } = {},
): Promise<ServerProcess> {
  const child = spawn(options.node ?? process.execPath, [BIN, "web", "--port", "0", ...(options.args ?? [])], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const stop = () => stopProcess(child, "SIGKILL");
  try {
    const url = await waitFor("the web server to print its URL", () => {
      if (child.exitCode !== null) throw new Error(`queuectl web exited ${child.exitCode}: ${output}`);
      return /dashboard: (http:\/\/\S+?)\/?(\?|\s)/.exec(output)?.[1];
    });
    const pid = child.pid as number;
    return { pid, url, child, output: () => output, rss: () => vmRss(pid), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** VmRSS of a process in bytes, 0 if it is gone. */
export function vmRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}
