/** Store contract: metrics, throughput, run totals and finished runs of one named queue. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HOUR_MS, MINUTE_MS } from "../../../src/core/metrics.js";
import type { NextState, Store } from "../../../src/core/store.js";
import type { RunResult } from "../../../src/core/types.js";
import { claimOne, finished, LEASE, newJob, output, type MakeStore, storeCase } from "./harness.js";

/** Inserts one job of `queue`, runs it once to `next`, ending at `end` after `duration` ms. */
async function runOnce(
  store: Store,
  queue: string,
  id: string,
  end: number,
  duration: number,
  outcome: RunResult["outcome"],
  next: NextState,
): Promise<void> {
  await store.insertJobs([newJob(id, end - duration - 10, { max_retries: 0, queue })]);
  const claimed = await claimOne(store, "w1", end - duration);
  assert.equal(claimed.job.id, id);
  await store.finishRuns([finished(claimed, next, { outcome, finished_at: end, duration_ms: duration })]);
}

const done: NextState = { state: "completed" };

export function queueMetricsCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("metrics of one queue", () => {
      it(
        "count only that queue's jobs and runs; all queues without one; zeros for a queue no job names",
        withStore(async (store) => {
          const now = Date.now();
          // a: 3 successes (10, 20, 30 ms) and a dead job; b: 2 slow successes and a timeout retrying.
          await runOnce(store, "a", "a-1", now - 5_000, 10, "completed", done);
          await runOnce(store, "a", "a-2", now - 6_000, 20, "completed", done);
          await runOnce(store, "a", "a-3", now - 10 * MINUTE_MS, 30, "completed", done);
          await runOnce(store, "a", "a-dead", now - 7_000, 1, "failed", { state: "dead" });
          await runOnce(store, "b", "b-1", now - 8_000, 1000, "completed", done);
          await runOnce(store, "b", "b-2", now - 9_000, 2000, "completed", done);
          await runOnce(store, "b", "b-retry", now - 4_000, 5, "timeout", { state: "failed", run_at: now + HOUR_MS });
          await store.insertJobs([newJob("b-waiting", now, { queue: "b", run_at: now + HOUR_MS })]);

          const a = await store.metrics(now, "a");
          assert.deepEqual(a.counts, { pending: 0, processing: 0, completed: 3, failed: 0, dead: 1, cancelled: 0 });
          assert.equal(a.total_jobs, 4);
          assert.equal(a.attempts_total, 4);
          assert.equal(a.attempts_failed, 1);
          assert.equal(a.success_rate, 3 / 4);
          assert.deepEqual(a.duration_ms, { avg: 20, p50: 20, p95: 30 });
          assert.deepEqual(a.fastest, { job_id: "a-1", duration_ms: 10 });
          assert.deepEqual(a.slowest, { job_id: "a-3", duration_ms: 30 });
          assert.equal(a.throughput.last_minute, 2);
          assert.ok(Math.abs(a.throughput.last_hour - 3 / 60) < 1e-9, `last_hour ${a.throughput.last_hour}`);

          const b = await store.metrics(now, "b");
          assert.deepEqual(b.counts, { pending: 1, processing: 0, completed: 2, failed: 1, dead: 0, cancelled: 0 });
          assert.equal(b.attempts_total, 3);
          assert.equal(b.attempts_failed, 1);
          assert.deepEqual(b.duration_ms, { avg: 1500, p50: 1000, p95: 2000 });
          assert.deepEqual(b.fastest, { job_id: "b-1", duration_ms: 1000 });
          assert.deepEqual(b.slowest, { job_id: "b-2", duration_ms: 2000 });
          assert.equal(b.throughput.last_minute, 2);

          const all = await store.metrics(now);
          assert.equal(all.total_jobs, 8);
          assert.equal(all.attempts_total, 7);
          assert.deepEqual(all.fastest, { job_id: "a-1", duration_ms: 10 });
          assert.deepEqual(await store.metrics(now, null), all);

          const none = await store.metrics(now, "nope");
          assert.equal(none.total_jobs, 0);
          assert.equal(none.attempts_total, 0);
          assert.equal(none.success_rate, null);
          assert.deepEqual(none.duration_ms, { avg: null, p50: null, p95: null });
          assert.equal(none.fastest, null);
          assert.equal(none.throughput.last_minute, 0);
        }),
      );

      it(
        "throughput of one queue buckets only its runs",
        withStore(async (store) => {
          const now = Date.now();
          await runOnce(store, "a", "a-ok", now - 30_000, 50, "completed", done);
          await runOnce(store, "a", "a-bad", now - 90_000, 50, "failed", { state: "dead" });
          await runOnce(store, "b", "b-ok", now - 20_000, 50, "completed", done);
          await runOnce(store, "b", "b-ok2", now - 100_000, 50, "completed", done);
          const shape = (points: { at: number; completed: number; failed: number }[]) =>
            points.map((p) => [p.at - now, p.completed, p.failed]);
          assert.deepEqual(shape(await store.throughput(now, MINUTE_MS, 2, "a")), [
            [-120_000, 0, 1],
            [-60_000, 1, 0],
          ]);
          assert.deepEqual(shape(await store.throughput(now, MINUTE_MS, 2, "b")), [
            [-120_000, 1, 0],
            [-60_000, 1, 0],
          ]);
          assert.deepEqual(shape(await store.throughput(now, MINUTE_MS, 2)), [
            [-120_000, 1, 1],
            [-60_000, 2, 0],
          ]);
          assert.deepEqual(shape(await store.throughput(now, MINUTE_MS, 2, "nope")), [
            [-120_000, 0, 0],
            [-60_000, 0, 0],
          ]);
        }),
      );

      it(
        "run totals and finished runs carry their job's queue",
        withStore(async (store) => {
          const now = Date.now();
          await runOnce(store, "a", "a-ok", now - 30_000, 50, "completed", done);
          await runOnce(store, "a", "a-dead", now - 29_000, 50, "failed", { state: "dead" });
          await runOnce(store, "b", "b-ok", now - 28_000, 50, "completed", done);
          await runOnce(store, "b", "b-late", now - 27_000, 50, "timeout", { state: "failed", run_at: now + HOUR_MS });

          const byQueue = new Map((await store.runTotalsByQueue()).map((q) => [q.queue, q.totals]));
          assert.deepEqual([...byQueue.keys()].sort(), ["a", "b"]);
          const a = byQueue.get("a");
          const b = byQueue.get("b");
          assert.equal(a?.started, 2);
          assert.equal(a?.finished.completed, 1);
          assert.equal(a?.finished.failed, 1);
          assert.equal(a?.dead, 1);
          assert.equal(b?.started, 2);
          assert.equal(b?.finished.completed, 1);
          assert.equal(b?.finished.timeout, 1);
          assert.equal(b?.dead, 0);
          // The sum over queues is the whole.
          const whole = await store.runTotals();
          assert.equal(whole.started, 4);
          assert.equal(whole.finished.completed, 2);

          const runs = await store.finishedAttempts({ finished_at: 0, job_id: "", number: 0 }, now, 10);
          assert.deepEqual(
            runs.map((r) => [r.job_id, r.queue]),
            [
              ["a-ok", "a"],
              ["a-dead", "a"],
              ["b-ok", "b"],
              ["b-late", "b"],
            ],
          );
        }),
      );

      it(
        "run totals count every run of a batch, a lost run once, and no output snapshot",
        withStore(async (store) => {
          const t = Date.now();
          const ids = ["r1", "r2", "r3", "r4", "r5"];
          await store.insertJobs(ids.map((id, i) => newJob(id, t + i, { run_at: t, queue: i < 3 ? "a" : "b" })));
          // One claim of five, two of them finished in one call and two with the next claim.
          const claimed = await store.claimJobs("w1", 5, t, LEASE);
          assert.equal(claimed.length, 5);
          const [c1, c2, c3, c4, c5] = claimed;
          assert.ok(c1 && c2 && c3 && c4 && c5);
          assert.ok(await store.writeOutput(c1.job.id, c1.attempt, "w1", "stdout", output("half way")));
          await store.finishRuns([finished(c1, done), finished(c2, { state: "dead" }, { outcome: "failed" })]);
          const more = await store.finishAndClaim([finished(c3, done), finished(c4, done)], {
            workerId: "w1",
            limit: 1,
            now: t + 100,
            leaseMs: LEASE,
          });
          assert.deepEqual(more.claimed, []);
          // The fifth run is lost: its lease expires and the reap closes it.
          assert.deepEqual(await store.reap({ now: t + LEASE + 1, deadWorkerIds: [], staleBefore: 0 }), [c5.job.id]);

          const whole = await store.runTotals();
          assert.equal(whole.started, 5);
          assert.equal(whole.finished.completed, 3);
          assert.equal(whole.finished.failed, 1);
          assert.equal(whole.finished.lost, 1);
          assert.equal(whole.dead, 1);
          const byQueue = new Map((await store.runTotalsByQueue()).map((q) => [q.queue, q.totals]));
          assert.deepEqual(
            [byQueue.get("a")?.started, byQueue.get("a")?.finished.completed, byQueue.get("a")?.finished.failed],
            [3, 2, 1],
          );
          assert.deepEqual(
            [byQueue.get("b")?.started, byQueue.get("b")?.finished.completed, byQueue.get("b")?.finished.lost],
            [2, 1, 1],
          );
        }),
      );

      it(
        "runs of pruned jobs stay with their queue",
        withStore(async (store) => {
          const now = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
          const old = now - 30 * MINUTE_MS;
          await runOnce(store, "a", "a-1", old + 1000, 10, "completed", done);
          await runOnce(store, "a", "a-2", old + 2000, 30, "completed", done);
          await runOnce(store, "b", "b-1", old + 3000, 500, "completed", done);
          await runOnce(store, "b", "b-dead", old + 4000, 5, "failed", { state: "dead" });
          const figures = async (queue: string) => {
            const m = await store.metrics(now, queue);
            return {
              attempts_total: m.attempts_total,
              attempts_failed: m.attempts_failed,
              avg: m.duration_ms.avg,
              last_hour: m.throughput.last_hour,
              perMinute: await store.throughput(now, MINUTE_MS, 60, queue),
              perHour: await store.throughput(now, HOUR_MS, 2, queue),
            };
          };
          const a = await figures("a");
          const b = await figures("b");
          assert.equal(a.attempts_total, 2);
          assert.equal(b.attempts_failed, 1);
          assert.equal(await store.pruneJobs("completed", now, 500), 3);
          assert.equal(await store.pruneJobs("dead", now, 500), 1);
          assert.deepEqual(await figures("a"), a);
          assert.deepEqual(await figures("b"), b);
          assert.equal((await store.metrics(now)).attempts_total, 4);
        }),
      );
    });
  });
}
