// Metrics per queue over HTTP, on both engines: GET /api/metrics?queue=NAME and the queue label of
// every job and run series of GET /metrics, after real runs by an in-process worker pool.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { Queue } from "../../src/core/queue.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { buildApp } from "../../src/web/server.js";
import { WorkerPool } from "../../src/worker/pool.js";
import { PG_URL, tempHome, waitFor } from "../helpers/env.js";
import { dropSchema, pgSkipReason, uniqueSchema } from "../helpers/pg.js";
import { Scrape } from "../helpers/prometheus.js";

interface Opened {
  queue: Queue;
  db: string;
  cleanup: () => Promise<void>;
}

async function get(app: FastifyInstance, url: string): Promise<{ status: number; body: string }> {
  const reply = await app.inject({ method: "GET", url });
  return { status: reply.statusCode, body: reply.body };
}

function queueMetricsSuite(engine: string, open: () => Promise<Opened>, skip: string | null = null): void {
  describe(`metrics per queue over HTTP: ${engine}`, { skip: skip ?? false }, () => {
    let opened: Opened;
    let app: FastifyInstance;
    let scrape: Scrape;
    before(async () => {
      opened = await open();
      app = await buildApp({ queue: opened.queue, db: opened.db });
      // The first scrape makes the histograms' feed: runs finished from now on are observed.
      assert.equal((await get(app, "/metrics")).status, 200);
      for (let i = 0; i < 3; i++) await opened.queue.enqueue({ command: "true", queue: "alpha" });
      await opened.queue.enqueue({ command: "exit 3", queue: "alpha", max_retries: 0 });
      await opened.queue.enqueue({ command: "true", queue: "beta" });
      await opened.queue.enqueue({
        command: "true",
        queue: "beta",
        run_at: new Date(Date.now() + 3_600_000).toISOString(),
      });
      const pool = new WorkerPool(opened.queue, { slots: 2 });
      await pool.start();
      try {
        await waitFor("alpha and beta run", async () => {
          const counts = await opened.queue.counts();
          return counts.completed === 4 && counts.dead === 1;
        });
      } finally {
        await pool.stop("now");
      }
      // Histograms read finished runs a little after they finish (late commits): wait for all 5.
      scrape = await waitFor(
        "the 5 runs in the duration histograms",
        async () => {
          const reply = await get(app, "/metrics");
          const s = new Scrape(reply.body);
          const runs = (queue: string) =>
            s.count("queuectl_run_duration_seconds", { queue, outcome: "completed" }) +
            s.count("queuectl_run_duration_seconds", { queue, outcome: "failed" });
          return runs("alpha") === 4 && runs("beta") === 1 ? s : null;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    });
    after(async () => {
      await app?.close();
      await opened?.cleanup();
    });

    it("GET /metrics labels jobs, run totals and histograms with each run's queue", () => {
      const s = scrape;
      const alpha = { queue: "alpha" };
      const beta = { queue: "beta" };
      assert.equal(s.value("queuectl_jobs", { ...alpha, state: "completed" }), 3);
      assert.equal(s.value("queuectl_jobs", { ...alpha, state: "dead" }), 1);
      assert.equal(s.value("queuectl_jobs", { ...beta, state: "completed" }), 1);
      assert.equal(s.value("queuectl_jobs", { ...beta, state: "pending" }), 1);
      assert.equal(s.value("queuectl_runs_started_total", alpha), 4);
      assert.equal(s.value("queuectl_runs_started_total", beta), 1);
      assert.equal(s.value("queuectl_runs_completed_total", alpha), 3);
      assert.equal(s.value("queuectl_runs_completed_total", beta), 1);
      assert.equal(s.value("queuectl_runs_failed_total", { ...alpha, outcome: "failed" }), 1);
      assert.equal(s.value("queuectl_runs_failed_total", { ...beta, outcome: "failed" }), 0);
      assert.equal(s.value("queuectl_jobs_dead_total", alpha), 1);
      assert.equal(s.value("queuectl_jobs_dead_total", beta), 0);
      assert.equal(s.count("queuectl_run_duration_seconds", { ...alpha, outcome: "completed" }), 3);
      assert.equal(s.count("queuectl_run_duration_seconds", { ...alpha, outcome: "failed" }), 1);
      assert.equal(s.count("queuectl_run_duration_seconds", { ...beta, outcome: "completed" }), 1);
      assert.equal(s.count("queuectl_job_pickup_latency_seconds", alpha), 4);
      assert.equal(s.count("queuectl_job_pickup_latency_seconds", beta), 1);
      // No job names `default` here: no series claims runs for it.
      const labels = new Set(s.family("queuectl_runs_started_total").metrics.map((m) => m.labels?.queue));
      assert.deepEqual([...labels].sort(), ["alpha", "beta"]);
    });

    it("GET /api/metrics?queue=NAME gives the figures and the series of that queue", async () => {
      const reply = await get(app, "/api/metrics?queue=alpha&bucket=3600&buckets=1");
      assert.equal(reply.status, 200, reply.body);
      const m = JSON.parse(reply.body);
      assert.equal(m.queue, "alpha");
      assert.equal(m.total_jobs, 4);
      assert.deepEqual([m.counts.completed, m.counts.dead, m.counts.pending], [3, 1, 0]);
      assert.deepEqual([m.attempts_total, m.attempts_failed], [4, 1]);
      assert.equal(m.success_rate, 3 / 4);
      assert.deepEqual(
        m.series.points.map((p: { completed: number; failed: number }) => [p.completed, p.failed]),
        [[3, 1]],
      );
      const b = JSON.parse((await get(app, "/api/metrics?queue=beta")).body);
      assert.deepEqual([b.queue, b.total_jobs, b.attempts_total, b.counts.pending], ["beta", 2, 1, 1]);
      const all = JSON.parse((await get(app, "/api/metrics")).body);
      assert.deepEqual([all.queue, all.total_jobs, all.attempts_total], [null, 6, 5]);
      const none = JSON.parse((await get(app, "/api/metrics?queue=nobody")).body);
      assert.deepEqual([none.queue, none.total_jobs, none.attempts_total, none.success_rate], ["nobody", 0, 0, null]);
    });

    it("GET /api/metrics refuses a bad queue name with 400, naming the field", async () => {
      for (const bad of ["a%20b", "", "x".repeat(65), "%3Cb%3E"]) {
        const reply = await get(app, `/api/metrics?queue=${bad}`);
        assert.equal(reply.status, 400, `${bad}: ${reply.body}`);
        assert.match(JSON.parse(reply.body).error, /queue/);
      }
    });
  });
}

queueMetricsSuite("sqlite", async () => {
  const home = tempHome("queuectl-queue-metrics-");
  const store = SqliteStore.open(home.db);
  await store.migrate();
  const queue = new Queue(store);
  return {
    queue,
    db: home.db,
    cleanup: async () => {
      await queue.close();
      home.cleanup();
    },
  };
});

const pgSkip = await pgSkipReason();
queueMetricsSuite(
  "postgres",
  async () => {
    const schema = uniqueSchema();
    const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
    await store.migrate();
    const queue = new Queue(store);
    return {
      queue,
      db: PG_URL,
      cleanup: async () => {
        await queue.close();
        await dropSchema(schema);
      },
    };
  },
  pgSkip,
);
