/** Store contract: retention — what pruning removes, what it keeps, and that history survives it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HOUR_MS, MINUTE_MS } from "../../../src/core/metrics.js";
import type { NextState, Store } from "../../../src/core/store.js";
import type { Metrics } from "../../../src/core/types.js";
import { claimOne, finished, mustGet, newJob, output, type MakeStore, storeCase } from "./harness.js";

/** Inserts one job, claims it at `start` and finishes it to `next` after `duration` ms. */
async function runOnce(store: Store, id: string, start: number, duration: number, next: NextState, text = "") {
  await store.insertJobs([newJob(id, start - 10, { max_retries: 0 })]);
  const claimed = await claimOne(store, "w1", start);
  assert.equal(claimed.job.id, id);
  const stdout = output(text || `out ${id}`);
  await store.finishRuns([finished(claimed, next, { duration_ms: duration, stdout, stderr: output(`err ${id}`) })]);
}

/** What a chart and the counters show: must not change when runs are pruned. */
function history(m: Metrics) {
  return {
    attempts_total: m.attempts_total,
    attempts_failed: m.attempts_failed,
    avg: m.duration_ms.avg,
    last_minute: m.throughput.last_minute,
    last_hour: m.throughput.last_hour,
  };
}

export function pruneCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("retention", () => {
      it(
        "pruneJobs deletes old jobs of one state with their runs and output; never waiting, running, retrying or recent ones",
        withStore(async (store) => {
          // A whole hour, so that chart buckets start where rollups do.
          const now = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
          const old = now - 30 * MINUTE_MS;
          for (let i = 1; i <= 3; i++)
            await runOnce(store, `done-${i}`, old + i * 1000, i * 10, { state: "completed" });
          await runOnce(store, "dead", old + 5000, 7, { state: "dead" });
          await runOnce(store, "retrying", old + 6000, 9, { state: "failed", run_at: now + HOUR_MS });
          await runOnce(store, "recent", now - 2 * MINUTE_MS, 40, { state: "completed" });
          await store.insertJobs([newJob("running", old)]);
          await claimOne(store, "w1", old + 7000);
          await store.insertJobs([newJob("waiting", old, { run_at: now + HOUR_MS })]);

          const before = now - 10 * MINUTE_MS;
          assert.equal(await store.countPrunable("completed", before), 3);
          assert.equal(await store.countPrunable("dead", before), 1);
          const metricsBefore = await store.metrics(now);
          const perMinute = await store.throughput(now, MINUTE_MS, 60);
          const perHour = await store.throughput(now, HOUR_MS, 24);
          const totals = await store.runTotals();

          // In batches of `limit`, oldest first, until none is left.
          assert.equal(await store.pruneJobs("completed", before, 2), 2);
          assert.equal(await store.getJob("done-1"), null);
          assert.equal(await store.getJob("done-2"), null);
          await mustGet(store, "done-3");
          assert.equal(await store.pruneJobs("completed", before, 2), 1);
          assert.equal(await store.pruneJobs("completed", before, 2), 0);
          assert.equal(await store.pruneJobs("dead", before, 500), 1);

          for (const id of ["done-1", "done-2", "done-3", "dead"]) {
            assert.equal(await store.getJob(id), null, id);
            assert.deepEqual(await store.listAttempts(id), [], `${id} attempts`);
            assert.equal(await store.getOutput(id, 1, "stdout"), null, `${id} output`);
          }
          assert.equal((await mustGet(store, "retrying")).state, "failed");
          assert.equal((await mustGet(store, "recent")).state, "completed");
          assert.equal((await mustGet(store, "running")).state, "processing");
          assert.equal((await mustGet(store, "waiting")).state, "pending");
          assert.equal((await store.getOutput("recent", 1, "stdout"))?.data.toString(), "out recent");
          assert.deepEqual(await store.countJobs(), {
            pending: 1,
            processing: 1,
            completed: 1,
            failed: 1,
            dead: 0,
            cancelled: 0,
          });

          // Counters, average and charts read the rollups: the same as before the prune.
          assert.deepEqual(history(await store.metrics(now)), history(metricsBefore));
          assert.deepEqual(await store.throughput(now, MINUTE_MS, 60), perMinute);
          assert.deepEqual(await store.throughput(now, HOUR_MS, 24), perHour);
          assert.deepEqual(await store.runTotals(), totals);
          assert.equal(metricsBefore.attempts_total, 6);
          assert.equal(metricsBefore.attempts_failed, 2);
          assert.ok(perMinute.reduce((sum, p) => sum + p.completed, 0) === 4, "the chart shows the 4 completed runs");

          // A cutoff far ahead still takes only finished jobs of the state asked for.
          assert.equal(await store.pruneJobs("completed", now + 365 * 24 * HOUR_MS, 500), 1);
          assert.equal(await store.pruneJobs("dead", now + 365 * 24 * HOUR_MS, 500), 0);
          assert.deepEqual(await store.countJobs(), {
            pending: 1,
            processing: 1,
            completed: 0,
            failed: 1,
            dead: 0,
            cancelled: 0,
          });
          assert.deepEqual(history(await store.metrics(now)), history(metricsBefore));
        }),
      );

      it(
        "pruneOutput drops the output of old finished runs, keeps their attempt rows, says pruned, and walks on",
        withStore(async (store) => {
          const now = Date.now();
          const old = now - HOUR_MS;
          await runOnce(store, "old", old, 10, { state: "completed" }, "hello");
          await runOnce(store, "retrying", old + 1000, 10, { state: "failed", run_at: now + HOUR_MS }, "first try");
          await runOnce(store, "recent", now - 1000, 10, { state: "completed" }, "fresh");
          await store.insertJobs([newJob("running", old)]);
          const running = await claimOne(store, "w1", old + 2000);
          assert.ok(await store.writeOutput("running", running.attempt, "w1", "stdout", output("live")));
          // A run that wrote nothing: walked past, nothing to drop (so no space to reclaim).
          await store.insertJobs([newJob("quiet", old)]);
          const quiet = await claimOne(store, "w1", old + 3000);
          const silence = { stdout: output(""), stderr: output("") };
          await store.finishRuns([finished(quiet, { state: "completed" }, silence)]);

          const before = now - 10 * MINUTE_MS;
          // Counted as pruneOutput will drop: the runs that have output, not the quiet one.
          assert.equal(await store.countPrunable("output", before), 2);
          assert.deepEqual(await store.pruneOutput(before, 500), { walked: 3, dropped: 2 });
          const gone = await store.getOutput("old", 1, "stdout");
          assert.deepEqual(gone, { data: Buffer.alloc(0), total_bytes: 5, truncated: false, pruned: true });
          assert.equal((await store.getOutput("old", 1, "stderr"))?.pruned, true);
          assert.equal((await store.getOutput("retrying", 1, "stdout"))?.pruned, true);
          const [attempt] = await store.listAttempts("old");
          assert.equal(attempt?.outcome, "completed");
          assert.equal(attempt?.stdout_bytes, 5);
          assert.equal((await mustGet(store, "old")).state, "completed");
          assert.deepEqual(await store.getOutput("recent", 1, "stdout"), output("fresh"));
          assert.deepEqual(await store.getOutput("running", running.attempt, "stdout"), output("live"));

          // Nothing left before that cutoff: the next pass walks nothing.
          assert.deepEqual(await store.pruneOutput(before, 500), { walked: 0, dropped: 0 });
          assert.equal(await store.countPrunable("output", before), 0);
          // A later cutoff takes the recent run too, still not the running one.
          assert.deepEqual(await store.pruneOutput(now, 500), { walked: 1, dropped: 1 });
          assert.equal((await store.getOutput("recent", 1, "stdout"))?.pruned, true);
          assert.deepEqual(await store.getOutput("running", running.attempt, "stdout"), output("live"));
        }),
      );
    });
  });
}
