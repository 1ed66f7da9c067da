import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "../helpers/env.js";
import { Scrape } from "../helpers/prometheus.js";
import { openHarness, type Harness } from "./harness.js";

const TOKEN = "test-token-0123456789abcdef";
const Q = { queue: "default" };

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<Scrape> {
  const reply = await h.call("GET", "/metrics", undefined, headers);
  assert.equal(reply.status, 200, reply.body);
  assert.match(String(reply.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  return new Scrape(reply.body);
}

describe("GET /metrics after a real run of jobs", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await h.queue.setConfig("backoff-max", 0); // retries due at once: failed → dead without waiting
  });
  after(async () => h.close());

  it("matches /api/status and counts every run once", async () => {
    for (let i = 0; i < 3; i++) await h.queue.enqueue({ command: "true" });
    for (let i = 0; i < 2; i++) await h.queue.enqueue({ command: "exit 3", max_retries: 1 });
    await h.queue.enqueue({ command: "true", run_at: new Date(Date.now() + 3_600_000).toISOString() });
    const stop = await h.runWorkers(2);
    await waitFor("3 completed and 2 dead jobs", async () => {
      const counts = await h.queue.counts();
      return counts.completed === 3 && counts.dead === 2;
    });

    // Histograms read finished runs a little after they finish (late commits): wait for all 7.
    const s = await waitFor(
      "the 7 runs in the duration histograms",
      async () => {
        const s = await scrape(h);
        const runs =
          s.count("queuectl_run_duration_seconds", { ...Q, outcome: "completed" }) +
          s.count("queuectl_run_duration_seconds", { ...Q, outcome: "failed" });
        return runs === 7 ? s : null;
      },
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    const status = (await h.call("GET", "/api/status")).json<any>();

    for (const [state, n] of Object.entries(status.counts)) {
      assert.equal(s.value("queuectl_jobs", { ...Q, state }), n, state);
    }
    assert.equal(s.family("queuectl_jobs").type, "GAUGE");
    assert.equal(s.value("queuectl_runs_started_total", Q), 7);
    assert.equal(s.value("queuectl_runs_completed_total", Q), 3);
    assert.equal(s.value("queuectl_runs_failed_total", { ...Q, outcome: "failed" }), 4);
    assert.equal(s.value("queuectl_runs_failed_total", { ...Q, outcome: "timeout" }), 0);
    assert.equal(s.value("queuectl_jobs_dead_total", Q), status.counts.dead);
    assert.equal(s.family("queuectl_runs_started_total").type, "COUNTER");
    assert.equal(s.count("queuectl_run_duration_seconds", { ...Q, outcome: "completed" }), 3);
    assert.equal(s.count("queuectl_run_duration_seconds", { ...Q, outcome: "failed" }), 4);
    assert.equal(s.count("queuectl_job_pickup_latency_seconds", Q), 7);
    assert.equal(s.family("queuectl_job_pickup_latency_seconds").type, "HISTOGRAM");

    assert.equal(s.value("queuectl_workers_live"), status.health.live_workers);
    assert.equal(s.value("queuectl_workers_live"), 1);
    assert.equal(s.value("queuectl_worker_slots"), 2);
    assert.equal(s.value("queuectl_worker_slots_busy"), 0);
    // The scheduled job is not ready: nothing waits.
    assert.equal(status.health.oldest_ready_ms, null);
    assert.equal(s.value("queuectl_oldest_ready_job_age_seconds", Q), 0);

    // A second scrape adds nothing: each run is observed once.
    const again = await scrape(h);
    assert.equal(again.count("queuectl_job_pickup_latency_seconds", Q), 7);
    assert.equal(again.value("queuectl_runs_started_total", Q), 7);

    // With no worker, a job due 30 s ago has waited 30 s.
    await stop();
    await h.queue.enqueue({ command: "true", run_at: new Date(Date.now() - 30_000).toISOString() });
    const waiting = await scrape(h);
    const health = (await h.call("GET", "/api/status")).json<any>().health;
    const age = waiting.value("queuectl_oldest_ready_job_age_seconds", Q);
    assert.ok(Math.abs(age - health.oldest_ready_ms / 1000) < 2, `${age} s vs ${health.oldest_ready_ms} ms`);
    assert.ok(age >= 30, String(age));
    assert.equal(waiting.value("queuectl_workers_live"), 0);
    assert.equal(waiting.value("queuectl_worker_slots"), 0);
  });

  it("counts cancelled jobs and runs apart from failures", async () => {
    const other = await openHarness();
    try {
      await other.queue.enqueue({
        id: "waiting",
        command: "true",
        run_at: new Date(Date.now() + 3_600_000).toISOString(),
      });
      await other.queue.enqueue({ id: "running", command: "exec sleep 300" });
      await other.queue.cancel("waiting");
      const stop = await other.runWorkers(1);
      try {
        await waitFor("the job runs", async () => (await other.queue.get("running")).state === "processing");
        await other.queue.cancel("running", { grace: 0 });
        await waitFor("the run is cancelled", async () => (await other.queue.get("running")).state === "cancelled");
      } finally {
        await stop();
      }
      const s = await scrape(other);
      assert.equal(s.value("queuectl_jobs", { ...Q, state: "cancelled" }), 2);
      assert.equal(s.value("queuectl_runs_cancelled_total", Q), 1, "the job cancelled before it ran had no run");
      assert.equal(s.value("queuectl_runs_started_total", Q), 1);
      for (const outcome of ["failed", "timeout", "start_error", "lost"]) {
        assert.equal(s.value("queuectl_runs_failed_total", { ...Q, outcome }), 0, outcome);
      }
      const metrics = await other.queue.metrics();
      assert.equal(metrics.success_rate, null, "a cancelled job is neither a success nor a failure");
      assert.deepEqual([metrics.attempts_total, metrics.attempts_failed], [0, 0]);
    } finally {
      await other.close();
    }
  });

  it("is not pulled from the global registry: two apps in one process each serve their own", async () => {
    const other = await openHarness();
    try {
      const s = await scrape(other);
      assert.equal(s.value("queuectl_runs_started_total", Q), 0);
      assert.equal(s.value("queuectl_jobs", { ...Q, state: "pending" }), 0);
    } finally {
      await other.close();
    }
  });
});

describe("GET /metrics and the access token", () => {
  it("needs the token like every other route", async () => {
    const h = await openHarness({ token: TOKEN });
    try {
      assert.equal((await h.call("GET", "/metrics")).status, 401);
      const wrong = await h.call("GET", "/metrics", undefined, { authorization: "Bearer wrong-token-wrong-token" });
      assert.equal(wrong.status, 401);
      await scrape(h, { authorization: `Bearer ${TOKEN}` });
    } finally {
      await h.close();
    }
  });

  it("without a token, answers only to a loopback Host", async () => {
    const h = await openHarness();
    try {
      assert.equal((await h.call("GET", "/metrics", undefined, { host: "metrics.example:5000" })).status, 403);
      await scrape(h, { host: "127.0.0.1:5000" });
    } finally {
      await h.close();
    }
  });
});
