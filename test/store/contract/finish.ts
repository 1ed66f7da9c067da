/** Store contract: Finishing runs (alone or with the next claim), and refusing runs no longer held. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob } from "../../../src/core/types.js";
import { LEASE, newJob, output, finished, claimOne, mustGet, type MakeStore, storeCase } from "./harness.js";

export function finishCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("finishAndClaim", () => {
      it(
        "records the finished runs, then claims the next jobs in pick-up order",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("first", t, { priority: 9 }),
            newJob("low", t, { priority: 1 }),
            newJob("high", t, { priority: 8 }),
          ]);
          const claimed = await claimOne(store, "w1", t);
          assert.equal(claimed.job.id, "first");
          const { claimed: next, refused } = await store.finishAndClaim([finished(claimed, { state: "completed" })], {
            workerId: "w1",
            limit: 1,
            now: t + 100,
            leaseMs: LEASE,
          });
          assert.deepEqual(refused, []);
          assert.equal((await mustGet(store, "first")).state, "completed");
          assert.deepEqual(
            next.map((c) => c.job.id),
            ["high"],
          );
          assert.equal(next[0]?.job.state, "processing");
          assert.equal(next[0]?.attempt, 1);
          assert.equal((await mustGet(store, "low")).state, "pending");
        }),
      );

      it(
        "works with no runs to finish, and with nothing left to claim",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("only", t)]);
          const first = await store.finishAndClaim([], { workerId: "w1", limit: 5, now: t, leaseMs: LEASE });
          const [claimed] = first.claimed;
          assert.equal(claimed?.job.id, "only");
          assert.ok(claimed);
          const none = await store.finishAndClaim([finished(claimed, { state: "dead" })], {
            workerId: "w1",
            limit: 5,
            now: t + 1,
            leaseMs: LEASE,
          });
          assert.deepEqual(none, { claimed: [], refused: [] });
          assert.equal((await mustGet(store, "only")).state, "dead");
        }),
      );

      it(
        "refuses a run recovered meanwhile and still claims",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("reaped", t), newJob("next", t + 1, { run_at: t })]);
          const old = await claimOne(store, "w1", t, 1000);
          assert.deepEqual(await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 }), ["reaped"]);
          const result = await store.finishAndClaim([finished(old, { state: "completed" })], {
            workerId: "w1",
            limit: 1,
            now: t + 2100,
            leaseMs: LEASE,
          });
          assert.deepEqual(result.refused, ["reaped"]);
          assert.deepEqual(
            result.claimed.map((c) => [c.job.id, c.attempt]),
            [["reaped", 2]],
          );
          assert.deepEqual(
            (await store.listAttempts("reaped")).map((a) => a.outcome),
            ["lost", "running"],
          );
        }),
      );
    });

    describe("finishRuns", () => {
      it(
        "completed: records the run on the job and its attempt",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("ok", t)]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(
              claimed,
              { state: "completed" },
              { finished_at: t + 1234, duration_ms: 1234, stdout: output("hello\n"), stderr: output("warn\n") },
            ),
          ]);
          const job = await mustGet(store, "ok");
          assert.equal(job.state, "completed");
          assert.equal(job.attempts, 1);
          assert.equal(job.started_at, t, "started_at kept");
          assert.equal(job.finished_at, t + 1234);
          assert.equal(job.duration_ms, 1234);
          assert.equal(job.exit_code, 0);
          assert.equal(job.last_error, null);
          assert.equal(job.worker_id, null);
          assert.equal(job.lease_until, null);
          const [attempt] = await store.listAttempts("ok");
          assert.deepEqual(attempt, {
            job_id: "ok",
            number: 1,
            worker_id: "w1",
            outcome: "completed",
            started_at: t,
            finished_at: t + 1234,
            duration_ms: 1234,
            exit_code: 0,
            signal: null,
            error: null,
            stdout_bytes: 6,
            stderr_bytes: 5,
          });
          assert.equal((await store.getOutput("ok", 1, "stdout"))?.data.toString(), "hello\n");
          assert.equal((await store.getOutput("ok", 1, "stderr"))?.data.toString(), "warn\n");
        }),
      );

      it(
        "failed: waits for its retry at run_at with the error kept",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("bad", t)]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(
              claimed,
              { state: "failed", run_at: t + 2000 },
              { exit_code: 2, error: "exit code 2", outcome: "failed" },
            ),
          ]);
          const job = await mustGet(store, "bad");
          assert.equal(job.state, "failed");
          assert.equal(job.run_at, t + 2000);
          assert.equal(job.exit_code, 2);
          assert.equal(job.last_error, "exit code 2");
          assert.equal(job.attempts, 1);
          assert.equal(job.worker_id, null);
          assert.deepEqual(await store.claimJobs("w1", 1, t + 1999, LEASE), []);
          assert.equal((await claimOne(store, "w1", t + 2000)).job.id, "bad");
        }),
      );

      it(
        "dead: goes to the DLQ, signal and timeout outcomes kept on the attempt",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("rip", t, { max_retries: 0 })]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(
              claimed,
              { state: "dead" },
              { outcome: "timeout", exit_code: null, signal: "SIGKILL", error: "timed out after 1 s" },
            ),
          ]);
          const job = await mustGet(store, "rip");
          assert.equal(job.state, "dead");
          assert.equal(job.last_error, "timed out after 1 s");
          const [attempt] = await store.listAttempts("rip");
          assert.equal(attempt?.outcome, "timeout");
          assert.equal(attempt?.signal, "SIGKILL");
          assert.equal(attempt?.exit_code, null);
          assert.deepEqual(await store.claimJobs("w1", 1, t + 100_000, LEASE), []);
        }),
      );

      it(
        "requeue: back to pending, due now, the run not counted",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("stopped", t - 5000, { max_retries: 0 })]);
          const claimed = await claimOne(store, "w1", t - 5000);
          await store.finishRuns([finished(claimed, { state: "requeue" })]);
          const job = await mustGet(store, "stopped");
          assert.equal(job.state, "pending");
          assert.equal(job.attempts, 0);
          assert.equal(job.worker_id, null);
          assert.ok(job.run_at <= Date.now(), "due now");
          assert.equal((await store.listAttempts("stopped"))[0]?.outcome, "interrupted");
          const again = await claimOne(store, "w2", Date.now() + 1);
          assert.equal(again.attempt, 2);
          assert.equal(again.job.attempts, 1);
        }),
      );

      it(
        "applies a batch of runs with different next states together",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs(["f1", "f2", "f3", "f4"].map((id) => newJob(id, t)));
          const batch = await store.claimJobs("w1", 4, t, LEASE);
          assert.equal(batch.length, 4);
          const [a, b, c, d] = batch as [ClaimedJob, ClaimedJob, ClaimedJob, ClaimedJob];
          await store.finishRuns([
            finished(a, { state: "completed" }),
            finished(b, { state: "failed", run_at: t + 500 }),
            finished(c, { state: "dead" }),
            finished(d, { state: "requeue" }),
          ]);
          const states = await Promise.all(
            ["f1", "f2", "f3", "f4"].map(async (id) => (await mustGet(store, id)).state),
          );
          assert.deepEqual(states, ["completed", "failed", "dead", "pending"]);
          assert.equal((await store.countJobs()).processing, 0);
          await store.finishRuns([]);
        }),
      );

      it(
        "refuses the late result of a run recovered meanwhile: its attempt stays lost",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("slow", t), newJob("slow2", t + 1, { run_at: t })]);
          const old = await claimOne(store, "w1", t, 1000);
          const old2 = await claimOne(store, "w1", t, 1000);
          // w1 stops heartbeating; both leases expire and the jobs are recovered.
          assert.deepEqual((await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 })).sort(), [
            "slow",
            "slow2",
          ]);
          const taken = await claimOne(store, "w2", t + 2000); // slow, by another worker
          assert.equal(taken.job.id, "slow");
          const retaken = await claimOne(store, "w1", t + 2000); // slow2, by the same worker, a new attempt
          assert.equal(retaken.job.id, "slow2");
          // The old runs report late: fencing refuses both, nothing of them is written.
          const refused = await store.finishRuns([
            finished(old, { state: "completed" }, { finished_at: t + 2500, stdout: output("late") }),
            finished(old2, { state: "completed" }, { finished_at: t + 2500, stdout: output("late") }),
          ]);
          assert.deepEqual(refused.sort(), ["slow", "slow2"]);
          for (const [id, worker] of [
            ["slow", "w2"],
            ["slow2", "w1"],
          ] as const) {
            const job = await mustGet(store, id);
            assert.equal(job.state, "processing", `${id} still held by its new run`);
            assert.equal(job.worker_id, worker);
            assert.equal(job.attempts, 2);
            assert.equal(job.finished_at, null);
            const attempts = await store.listAttempts(id);
            assert.deepEqual(
              attempts.map((a) => [a.number, a.outcome]),
              [
                [1, "lost"],
                [2, "running"],
              ],
            );
            assert.equal(attempts[0]?.finished_at, t + 2000, "the lost record is kept");
            assert.equal(attempts[0]?.exit_code, null);
            assert.equal((await store.getOutput(id, 1, "stdout"))?.data.length, 0, "no late output either");
          }
          // The new runs still finish normally.
          const none = await store.finishRuns([
            finished(taken, { state: "completed" }),
            finished(retaken, { state: "completed" }),
          ]);
          assert.deepEqual(none, []);
          assert.equal((await store.countJobs()).completed, 2);
        }),
      );
    });
  });
}
