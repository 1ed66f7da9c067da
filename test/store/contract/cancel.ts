/** Store contract: cancelling jobs, waiting or running, and a cancel racing a run's own end. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CancelOrder } from "../../../src/core/store.js";
import { LEASE, beat, claimOne, finished, mustGet, newJob, output, type MakeStore, storeCase } from "./harness.js";

const ORDER: CancelOrder = { signal: "SIGTERM", grace_ms: 5000 };

export function cancelCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("cancelJob", () => {
      it(
        "cancels pending, scheduled and failed (awaiting retry) jobs at once; no claim takes them",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("pending", t),
            newJob("scheduled", t, { run_at: t + 3_600_000 }),
            newJob("retrying", t, { priority: 9 }),
          ]);
          const run = await claimOne(store, "w1", t);
          assert.equal(run.job.id, "retrying");
          await store.finishRuns([finished(run, { state: "failed", run_at: t + 10 })]);
          for (const id of ["pending", "scheduled", "retrying"]) {
            const answer = await store.cancelJob(id, ORDER, t + 50);
            assert.equal(answer.done, "cancelled", id);
            assert.equal(answer.job?.state, "cancelled");
            assert.equal(answer.job?.finished_at, t + 50);
            assert.equal(answer.job?.cancel_signal, null, "no order is left on a job that is not running");
            assert.equal((await mustGet(store, id)).state, "cancelled");
          }
          assert.deepEqual(await store.claimJobs("w1", 10, t + 7_200_000, LEASE), []);
          assert.equal(await store.nextRunAt(), null);
          const counts = await store.countJobs();
          assert.equal(counts.cancelled, 3);
          assert.equal(counts.pending + counts.failed, 0);
          assert.equal((await store.listJobs({ state: "cancelled", limit: 10 })).jobs.length, 3);
          assert.equal((await store.listAttempts("retrying")).length, 1, "the failed run's record is kept");
        }),
      );

      it(
        "refuses finished jobs and says so for unknown ids, writing nothing",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("done", t), newJob("gone", t + 1, { run_at: t }), newJob("off", t + 2)]);
          await store.finishRuns([finished(await claimOne(store, "w1", t), { state: "completed" })]);
          await store.finishRuns([finished(await claimOne(store, "w1", t), { state: "dead" })]);
          await store.cancelJob("off", ORDER, t + 5);
          for (const [id, state] of [
            ["done", "completed"],
            ["gone", "dead"],
            ["off", "cancelled"],
          ] as const) {
            const before = await mustGet(store, id);
            const answer = await store.cancelJob(id, ORDER, t + 100);
            assert.equal(answer.done, "refused", id);
            assert.equal(answer.job?.state, state);
            assert.deepEqual(await mustGet(store, id), before, "nothing written");
          }
          assert.deepEqual(await store.cancelJob("nope", ORDER, t), { job: null, done: "refused" });
        }),
      );

      it(
        "leaves the order on a running job for the worker holding it, answered by its heartbeat only",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("run", t), newJob("other", t + 1, { run_at: t })]);
          const run = await claimOne(store, "w1", t);
          const other = await claimOne(store, "w2", t);
          const answer = await store.cancelJob("run", { signal: "SIGINT", grace_ms: 250 }, t + 10);
          assert.equal(answer.done, "requested");
          assert.equal(answer.job?.state, "processing");
          assert.equal(answer.job?.cancel_signal, "SIGINT");
          assert.equal(answer.job?.cancel_grace_ms, 250);
          assert.ok((answer.job?.updated_at ?? 0) >= t + 10, "live views see the change");
          const held = [{ job_id: "run", attempt: run.attempt }];
          const w1 = await beat(store, "w1", t + 20, LEASE, held);
          assert.deepEqual(w1.cancel, [{ job_id: "run", attempt: 1, signal: "SIGINT", grace_ms: 250 }]);
          assert.deepEqual(w1.lost, []);
          const w2 = await beat(store, "w2", t + 20, LEASE, [{ job_id: "other", attempt: other.attempt }]);
          assert.deepEqual(w2.cancel, []);
          // A second cancel replaces the order (e.g. to send SIGKILL at once).
          await store.cancelJob("run", { signal: "SIGKILL", grace_ms: 0 }, t + 30);
          const again = await beat(store, "w1", t + 40, LEASE, held);
          assert.deepEqual(again.cancel, [{ job_id: "run", attempt: 1, signal: "SIGKILL", grace_ms: 0 }]);
        }),
      );

      it(
        "records a cancelled run once, its output kept, and the job ends cancelled with no retry",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("c", t, { max_retries: 5 })]);
          const run = await claimOne(store, "w1", t);
          await store.cancelJob("c", ORDER, t + 10);
          const refused = await store.finishRuns([
            finished(
              run,
              { state: "cancelled" },
              { outcome: "cancelled", signal: "SIGTERM", stdout: output("partial") },
            ),
          ]);
          assert.deepEqual(refused, []);
          const job = await mustGet(store, "c");
          assert.equal(job.state, "cancelled");
          assert.equal(job.cancel_signal, null, "the order is gone with the run");
          assert.equal(job.worker_id, null);
          const attempts = await store.listAttempts("c");
          assert.deepEqual(
            attempts.map((a) => a.outcome),
            ["cancelled"],
          );
          assert.equal((await store.getOutput("c", 1, "stdout"))?.data.toString(), "partial");
          assert.deepEqual(await store.claimJobs("w1", 5, t + 3_600_000, LEASE), [], "no retry follows");
          assert.equal((await store.runTotals()).finished.cancelled, 1);
          assert.equal((await store.countJobs()).cancelled, 1);
        }),
      );

      it(
        "a cancel racing the run's own end: one outcome, never both",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("won", t),
            newJob("failing", t + 1, { run_at: t }),
            newJob("late", t + 2, { run_at: t }),
          ]);
          // The run completes before its worker hears of the cancel: completed stands.
          const won = await claimOne(store, "w1", t);
          await store.cancelJob("won", ORDER, t + 5);
          await store.finishRuns([finished(won, { state: "completed" })]);
          const wonJob = await mustGet(store, "won");
          assert.equal(wonJob.state, "completed");
          assert.equal(wonJob.cancel_signal, null);
          assert.deepEqual(
            (await store.listAttempts("won")).map((a) => a.outcome),
            ["completed"],
          );
          // It fails by itself meanwhile: the user's cancel wins over the retry.
          const failing = await claimOne(store, "w1", t);
          await store.cancelJob("failing", ORDER, t + 5);
          await store.finishRuns([finished(failing, { state: "failed", run_at: t + 100 })]);
          assert.equal((await mustGet(store, "failing")).state, "cancelled");
          assert.deepEqual(
            (await store.listAttempts("failing")).map((a) => a.outcome),
            ["failed"],
          );
          // The run was recorded first: the cancel is refused and changes nothing.
          const late = await claimOne(store, "w1", t);
          await store.finishRuns([finished(late, { state: "completed" })]);
          assert.equal((await store.cancelJob("late", ORDER, t + 5)).done, "refused");
          assert.equal((await mustGet(store, "late")).state, "completed");
          assert.deepEqual(await store.claimJobs("w1", 5, t + 3_600_000, LEASE), []);
        }),
      );

      it(
        "concurrent cancels and finishes from two connections leave each job one recorded outcome",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            const t = Date.now();
            const ids = Array.from({ length: 20 }, (_, i) => `r${String(i).padStart(2, "0")}`);
            await store.insertJobs(ids.map((id, i) => newJob(id, t + i, { run_at: t })));
            const runs = await store.claimJobs("w1", ids.length, t, LEASE);
            assert.equal(runs.length, ids.length);
            await Promise.all([
              ...runs.map((run) => store.finishRuns([finished(run, { state: "failed", run_at: t + 60_000 })])),
              ...ids.map((id) => other.cancelJob(id, ORDER, t + 1)),
            ]);
            for (const id of ids) {
              const job = await mustGet(store, id);
              // Cancelled either way: directly (the finish came first and left it failed) or by the finish.
              assert.equal(job.state, "cancelled", id);
              assert.equal(job.cancel_signal, null);
              const attempts = await store.listAttempts(id);
              assert.deepEqual(
                attempts.map((a) => a.outcome),
                ["failed"],
                id,
              );
            }
          } finally {
            await other.close();
          }
        }),
      );

      it(
        "a running job being cancelled whose worker is lost ends cancelled, not back to pending",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("orphan", t, { max_retries: 3 }), newJob("plain", t + 1, { run_at: t })]);
          await claimOne(store, "w1", t, 1000);
          await claimOne(store, "w1", t, 1000);
          await store.cancelJob("orphan", ORDER, t + 10);
          const recovered = await store.reap({ now: t + 5000, deadWorkerIds: ["w1"], staleBefore: 0 });
          assert.deepEqual(recovered, ["orphan", "plain"]);
          const orphan = await mustGet(store, "orphan");
          assert.equal(orphan.state, "cancelled");
          assert.equal(orphan.cancel_signal, null);
          assert.ok(orphan.last_error?.includes("cancel"), String(orphan.last_error));
          assert.equal((await mustGet(store, "plain")).state, "failed", "others are rescued as before");
          const claimed = await store.claimJobs("w2", 5, t + 6000, LEASE);
          assert.deepEqual(
            claimed.map((c) => c.job.id),
            ["plain"],
          );
        }),
      );
    });
  });
}
