/** Store contract: Metrics computed from finished attempts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunResult } from "../../../src/core/types.js";
import type { NextState } from "../../../src/core/store.js";
import { newJob, finished, claimOne, type MakeStore, storeCase } from "./harness.js";

export function metricsCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("metrics", () => {
      it(
        "computes totals, success rate, durations of successful runs and throughput on a known data set",
        withStore(async (store) => {
          const now = Date.now();
          /** Inserts one job and runs it once to `next`, ending at `end`. */
          const runOnce = async (
            id: string,
            end: number,
            duration: number,
            outcome: RunResult["outcome"],
            next: NextState,
          ) => {
            await store.insertJobs([newJob(id, end - duration - 10, { max_retries: 0 })]);
            const claimed = await claimOne(store, "w1", end - duration);
            assert.equal(claimed.job.id, id);
            await store.finishRuns([finished(claimed, next, { outcome, finished_at: end, duration_ms: duration })]);
          };
          // 21 successful runs, 10..210 ms: 6 in the last minute, 15 earlier in the last hour.
          for (let i = 1; i <= 21; i++) {
            const end = i <= 6 ? now - i * 5_000 : now - 120_000 - i * 60_000;
            await runOnce(`ok-${i}`, end, i * 10, "completed", { state: "completed" });
          }
          // Failed runs, with extreme durations that must not count as fastest or slowest.
          await runOnce("f-dead", now - 1000, 1, "failed", { state: "dead" });
          await runOnce("f-retry", now - 2000, 99_999, "failed", { state: "failed", run_at: now + 3_600_000 });
          await runOnce("f-timeout", now - 3000, 5_000, "timeout", { state: "failed", run_at: now + 3_600_000 });
          // One running, one waiting: counted as jobs, not as finished attempts.
          await store.insertJobs([newJob("running", now - 100)]);
          await claimOne(store, "w1", now - 100);
          await store.insertJobs([newJob("waiting", now, { run_at: now + 3_600_000 })]);

          const m = await store.metrics(now);
          assert.deepEqual(m.counts, { pending: 1, processing: 1, completed: 21, failed: 2, dead: 1, cancelled: 0 });
          assert.equal(m.total_jobs, 26);
          assert.equal(m.attempts_total, 24);
          assert.equal(m.attempts_failed, 3);
          assert.ok(Math.abs((m.success_rate ?? 0) - 21 / 22) < 1e-9, `success_rate ${m.success_rate}`);
          assert.ok(Math.abs((m.duration_ms.avg ?? 0) - 110) < 1e-9, `avg ${m.duration_ms.avg}`);
          assert.equal(m.duration_ms.p50, 110);
          assert.equal(m.duration_ms.p95, 200);
          assert.deepEqual(m.fastest, { job_id: "ok-1", duration_ms: 10 });
          assert.deepEqual(m.slowest, { job_id: "ok-21", duration_ms: 210 });
          assert.equal(m.throughput.last_minute, 6);
          assert.ok(Math.abs(m.throughput.last_hour - 21 / 60) < 1e-9, `last_hour ${m.throughput.last_hour}`);
          assert.ok(Math.abs(m.throughput.per_second_last_minute - 6 / 60) < 1e-9);
        }),
      );

      it(
        "reports nulls and zeros on an empty store",
        withStore(async (store) => {
          const m = await store.metrics(Date.now());
          assert.equal(m.total_jobs, 0);
          assert.equal(m.attempts_total, 0);
          assert.equal(m.success_rate, null);
          assert.deepEqual(m.duration_ms, { avg: null, p50: null, p95: null });
          assert.equal(m.fastest, null);
          assert.equal(m.slowest, null);
          assert.equal(m.throughput.last_minute, 0);
        }),
      );

      it(
        "buckets finished attempts by time, oldest bucket first",
        withStore(async (store) => {
          const now = Date.now();
          const ends: [string, number, RunResult["outcome"], NextState][] = [
            ["b4-ok", now - 30_000, "completed", { state: "completed" }],
            ["b4-bad", now - 20_000, "failed", { state: "dead" }],
            ["b3-ok1", now - 90_000, "completed", { state: "completed" }],
            ["b3-ok2", now - 100_000, "completed", { state: "completed" }],
            ["b0-ok", now - 270_000, "completed", { state: "completed" }],
            ["outside", now - 400_000, "completed", { state: "completed" }],
          ];
          for (const [id, end, outcome, next] of ends) {
            await store.insertJobs([newJob(id, end - 100, { max_retries: 0 })]);
            const claimed = await claimOne(store, "w1", end - 50);
            await store.finishRuns([finished(claimed, next, { outcome, finished_at: end, duration_ms: 50 })]);
          }
          const points = await store.throughput(now, 60_000, 5);
          assert.deepEqual(
            points.map((p) => [p.at - now, p.completed, p.failed]),
            [
              [-300_000, 1, 0],
              [-240_000, 0, 0],
              [-180_000, 0, 0],
              [-120_000, 2, 0],
              [-60_000, 1, 1],
            ],
          );
        }),
      );
    });
  });
}
