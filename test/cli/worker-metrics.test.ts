import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { runCli, startCli, stopProcess } from "../helpers/cli.js";
import { alive, tempHome, waitFor } from "../helpers/env.js";
import { Scrape } from "../helpers/prometheus.js";

const TOKEN = "test-token-0123456789abcdef";
const Q = { queue: "default" };

/** The metrics URL a worker prints once it serves them. */
function metricsUrl(worker: ReturnType<typeof startCli>): Promise<string> {
  return waitFor("the worker to print its metrics URL", () => {
    if (worker.exitCode !== null) throw new Error(`the worker exited ${worker.exitCode}: ${worker.output()}`);
    return /metrics: (http:\/\/\S+\/metrics)/.exec(worker.output())?.[1];
  });
}

describe("worker start --metrics-port", () => {
  let home: ReturnType<typeof tempHome>;
  let env: Record<string, string>;
  before(() => {
    home = tempHome("queuectl-worker-metrics-");
    env = { QUEUECTL_HOME: home.home, QUEUECTL_DB: home.db, QUEUECTL_TOKEN: "" };
  });
  after(() => home.cleanup());

  it("serves /metrics on loopback; its figures match status --json after a run", async () => {
    assert.equal((await runCli(["config", "set", "backoff-max", "0"], env)).code, 0);
    const jobs = [{ command: "true" }, { command: "true" }, { command: "exit 1", max_retries: 2 }];
    const enqueue = await runCli(["enqueue", "--file", "-"], env, jobs.map((j) => JSON.stringify(j)).join("\n"));
    assert.equal(enqueue.code, 0, enqueue.stderr);

    const worker = startCli(["worker", "start", "--count", "3", "--metrics-port", "0"], env);
    try {
      const url = await metricsUrl(worker);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const status = await waitFor("2 completed jobs and 1 dead", async () => {
        const result = await runCli(["status", "--json"], env);
        const status = JSON.parse(result.stdout);
        return status.counts.completed === 2 && status.counts.dead === 1 ? status : null;
      });
      const s = await waitFor(
        "all 5 runs in the pickup histogram",
        async () => {
          const response = await fetch(url);
          assert.equal(response.status, 200);
          const s = new Scrape(await response.text());
          return s.count("queuectl_job_pickup_latency_seconds", Q) === 5 ? s : null;
        },
        { timeoutMs: 40_000, intervalMs: 500 },
      );
      for (const [state, n] of Object.entries(status.counts)) {
        assert.equal(s.value("queuectl_jobs", { ...Q, state }), n, state);
      }
      assert.equal(s.value("queuectl_runs_started_total", Q), 5);
      assert.equal(s.value("queuectl_runs_completed_total", Q), 2);
      assert.equal(s.value("queuectl_runs_failed_total", { ...Q, outcome: "failed" }), 3);
      assert.equal(s.value("queuectl_jobs_dead_total", Q), 1);
      assert.equal(s.value("queuectl_workers_live"), status.health.live_workers);
      assert.equal(s.value("queuectl_worker_slots"), 3);
    } finally {
      await stopProcess(worker);
    }
    assert.equal(worker.exitCode, 0, worker.output());
  });

  it("--detach passes the metrics options to the background worker", async () => {
    const started = await runCli(["worker", "start", "--detach", "--metrics-port", "0"], env);
    assert.equal(started.code, 0, started.stderr);
    const pid = Number(started.stdout.trim());
    const log = /log (\S+)/.exec(started.stderr)?.[1] as string;
    try {
      const url = await waitFor("the background worker's metrics URL", () => {
        return /metrics: (http:\/\/\S+\/metrics)/.exec(readFileSync(log, "utf8"))?.[1];
      });
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.equal(new Scrape(await response.text()).value("queuectl_workers_live"), 1);
    } finally {
      assert.equal((await runCli(["worker", "stop"], env)).code, 0);
      await waitFor("the background worker to exit", () => !alive(pid));
    }
  });

  it("refuses a non-loopback metrics address without a token (exit 2, one line)", async () => {
    const result = await runCli(["worker", "start", "--metrics-port", "0", "--metrics-host", "0.0.0.0"], env);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /token/);
  });

  it("off loopback, needs the token the web server would", async () => {
    const worker = startCli(["worker", "start", "--metrics-port", "0", "--metrics-host", "0.0.0.0"], {
      ...env,
      QUEUECTL_TOKEN: TOKEN,
    });
    try {
      const port = new URL(await metricsUrl(worker)).port;
      const url = `http://127.0.0.1:${port}/metrics`;
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status, 401);
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200);
      assert.ok(new Scrape(await response.text()).value("queuectl_workers_live") >= 1);
    } finally {
      await stopProcess(worker);
    }
  });
});
