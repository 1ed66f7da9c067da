/** CLI scenarios: `metrics --queue NAME`, the figures of one queue, after real runs. */
import assert from "node:assert/strict";
import { assertError } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

interface MetricsJson {
  queue: string | null;
  counts: Record<string, number>;
  total_jobs: number;
  attempts_total: number;
  attempts_failed: number;
  success_rate: number | null;
  fastest: { job_id: string } | null;
  slowest: { job_id: string } | null;
  throughput: { last_minute: number };
}

export const queueMetricsScenarios: Scenario[] = [
  scenario("queues", "metrics --queue NAME: the figures of that queue only; a bad name exits 2", async (h) => {
    const jobs = [
      { id: "a-ok-1", queue: "a", command: "true" },
      { id: "a-ok-2", queue: "a", command: "true" },
      { id: "a-bad", queue: "a", command: "exit 4", max_retries: 0 },
      { id: "b-ok", queue: "b", command: "true" },
      { id: "b-later", queue: "b", command: "true", run_at: new Date(Date.now() + 3_600_000).toISOString() },
    ];
    await h.ok(["enqueue", "--file", "-"], jobs.map((j) => JSON.stringify(j)).join("\n"));
    h.worker(2);
    await h.waitCounts("4 jobs finished", (c) => c.completed === 3 && c.dead === 1);
    await h.ok(["worker", "stop", "--wait", "--timeout", "30"]);

    const a = await h.json<MetricsJson>(["metrics", "--queue", "a"]);
    assert.equal(a.queue, "a");
    assert.equal(a.total_jobs, 3);
    assert.deepEqual([a.counts.completed, a.counts.dead, a.counts.pending], [2, 1, 0]);
    assert.deepEqual([a.attempts_total, a.attempts_failed], [3, 1]);
    assert.equal(a.success_rate, 2 / 3);
    assert.ok(["a-ok-1", "a-ok-2"].includes(a.fastest?.job_id ?? ""), `fastest ${a.fastest?.job_id}`);
    assert.equal(a.throughput.last_minute, 2);

    const b = await h.json<MetricsJson>(["metrics", "--queue", "b"]);
    assert.deepEqual([b.queue, b.total_jobs, b.counts.pending, b.attempts_total], ["b", 2, 1, 1]);
    assert.deepEqual([b.fastest?.job_id, b.slowest?.job_id], ["b-ok", "b-ok"]);

    const all = await h.json<MetricsJson>(["metrics"]);
    assert.deepEqual([all.queue, all.total_jobs, all.attempts_total], [null, 5, 4]);
    // A queue exists once a job names it, as for `list --queue`: one that none names has zeros.
    const none = await h.json<MetricsJson>(["metrics", "--queue", "nobody"]);
    assert.deepEqual([none.total_jobs, none.attempts_total, none.success_rate], [0, 0, null]);

    const table = await h.ok(["metrics", "--queue", "a"]);
    assert.match(table, /queue\s+a\n/);
    assert.match(table, /jobs\s+3 \(/);
    assert.match(table, /runs\s+3 finished, 1 failed/);

    assertError(await h.cli(["metrics", "--queue", "no spaces"]), 2, /queue/, "metrics --queue 'no spaces'");
    assertError(await h.cli(["metrics", "--queue", ""]), 2, /queue/, "metrics --queue ''");
  }),
];
