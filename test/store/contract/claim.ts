/** Store contract: Claiming jobs: order, readiness, exclusivity, attempts, stop requests. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LEASE, newJob, finished, claimOne, mustGet, type MakeStore, storeCase } from "./harness.js";

export function claimCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("claimJobs", () => {
      it(
        "takes ready jobs by priority desc, then created_at, then insertion order within one ms",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("late-p5", t + 2, { run_at: t })]);
          await store.insertJobs(
            [
              newJob("p5-a", t),
              newJob("p1", t),
              newJob("p5-b", t),
              newJob("p10", t + 1, { run_at: t }),
              newJob("p5-c", t),
            ].map((j) => (j.id === "p1" ? { ...j, priority: 1 } : j.id === "p10" ? { ...j, priority: 10 } : j)),
          );
          await store.insertJobs([newJob("early-p5", t - 1)]);
          const order: string[] = [];
          for (let i = 0; i < 7; i++) order.push((await claimOne(store, "w1", t + 10)).job.id);
          assert.deepEqual(order, ["p10", "early-p5", "p5-a", "p5-b", "p5-c", "late-p5", "p1"]);
          assert.deepEqual(await store.claimJobs("w1", 5, t + 10, LEASE), []);
        }),
      );

      it(
        "returns a batch in pick-up order and no more than asked",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("b1", t, { priority: 1 }),
            newJob("b2", t),
            newJob("b3", t, { priority: 8 }),
            newJob("b4", t),
          ]);
          const batch = await store.claimJobs("w1", 3, t, LEASE);
          assert.deepEqual(
            batch.map((c) => c.job.id),
            ["b3", "b2", "b4"],
          );
          const rest = await store.claimJobs("w1", 10, t, LEASE);
          assert.deepEqual(
            rest.map((c) => c.job.id),
            ["b1"],
          );
        }),
      );

      it(
        "skips jobs whose run_at is in the future and takes them once due",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("future", t, { run_at: t + 1000, priority: 10 }), newJob("now", t)]);
          assert.deepEqual(
            (await store.claimJobs("w1", 10, t, LEASE)).map((c) => c.job.id),
            ["now"],
          );
          assert.deepEqual(await store.claimJobs("w1", 10, t + 999, LEASE), []);
          assert.deepEqual(
            (await store.claimJobs("w1", 10, t + 1000, LEASE)).map((c) => c.job.id),
            ["future"],
          );
        }),
      );

      it(
        "marks the job processing and opens a running attempt",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("j", t - 1000)]);
          const claimed = await claimOne(store, "worker-a", t, 7000);
          assert.equal(claimed.attempt, 1);
          for (const job of [claimed.job, await mustGet(store, "j")]) {
            assert.equal(job.state, "processing");
            assert.equal(job.worker_id, "worker-a");
            assert.equal(job.attempts, 1);
            assert.equal(job.started_at, t);
            assert.equal(job.lease_until, t + 7000);
            assert.equal(job.finished_at, null);
            assert.equal(job.exit_code, null);
            assert.equal(job.duration_ms, null);
          }
          const [attempt, ...more] = await store.listAttempts("j");
          assert.equal(more.length, 0);
          assert.equal(attempt?.number, 1);
          assert.equal(attempt?.outcome, "running");
          assert.equal(attempt?.worker_id, "worker-a");
          assert.equal(attempt?.started_at, t);
          assert.equal(attempt?.finished_at, null);
          assert.equal(await store.getOutput("j", 1, "stdout").then((o) => o?.total_bytes), 0);
        }),
      );

      it(
        "clears the previous run's result when a failed job is claimed again",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("again", t)]);
          const first = await claimOne(store, "w1", t);
          await store.finishRuns([finished(first, { state: "failed", run_at: t + 100 })]);
          const failed = await mustGet(store, "again");
          assert.equal(failed.exit_code, 1);
          assert.notEqual(failed.finished_at, null);
          const second = await claimOne(store, "w2", t + 100);
          assert.equal(second.attempt, 2);
          assert.equal(second.job.attempts, 2);
          assert.equal(second.job.worker_id, "w2");
          assert.equal(second.job.finished_at, null);
          assert.equal(second.job.exit_code, null);
          assert.equal(second.job.duration_ms, null);
        }),
      );

      it(
        "never hands one job to two concurrent claimers",
        withStore(async (store, handle) => {
          const t = Date.now();
          const ids = Array.from({ length: 300 }, (_, i) => `cc-${i}`);
          await store.insertJobs(ids.map((id) => newJob(id, t)));
          const others = await Promise.all([handle.reopen(), handle.reopen(), handle.reopen()]);
          try {
            const stores = [store, store, ...others, ...others];
            const taken = await Promise.all(
              stores.map(async (s, i) => {
                const mine: string[] = [];
                for (;;) {
                  const batch = await s.claimJobs(`w${i}`, 7, t, LEASE);
                  if (batch.length === 0) return mine;
                  mine.push(...batch.map((c) => c.job.id));
                }
              }),
            );
            const all = taken.flat();
            assert.equal(all.length, ids.length, "every job claimed exactly once in total");
            assert.deepEqual([...new Set(all)].sort(), [...ids].sort());
            assert.ok(taken.filter((list) => list.length > 0).length > 1, "several claimers got work");
            const counts = await store.countJobs();
            assert.equal(counts.processing, 300);
            for (const id of ids.slice(0, 20)) assert.equal((await store.listAttempts(id)).length, 1);
          } finally {
            await Promise.all(others.map((o) => o.close()));
          }
        }),
      );

      it(
        "numbers attempts over the whole life of a job, across a DLQ retry",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("life", t, { max_retries: 1 })]);
          const one = await claimOne(store, "w1", t);
          await store.finishRuns([finished(one, { state: "failed", run_at: t + 10 })]);
          const two = await claimOne(store, "w1", t + 10);
          assert.equal(two.attempt, 2);
          await store.finishRuns([finished(two, { state: "dead" })]);
          const dead = await mustGet(store, "life");
          assert.equal(dead.state, "dead");
          assert.equal(dead.attempts, 2);
          const retried = await store.retryDead("life", t + 20);
          assert.equal(retried.attempts, 0);
          const three = await claimOne(store, "w1", t + 20);
          assert.equal(three.attempt, 3);
          assert.equal(three.job.attempts, 1);
          assert.deepEqual(
            (await store.listAttempts("life")).map((a) => [a.number, a.outcome]),
            [
              [1, "failed"],
              [2, "failed"],
              [3, "running"],
            ],
          );
        }),
      );
    });

    describe("claims and stop requests", () => {
      it(
        "a worker asked to stop claims nothing; other workers still do",
        withStore(async (store) => {
          const t = Date.now();
          for (const id of ["draining", "other"])
            await store.registerWorker({ id, host: "h", pid: 1, slots: 1, started_at: t });
          await store.requestStop("drain", "draining");
          await store.insertJobs([newJob("a", t), newJob("b", t)]);
          assert.deepEqual(await store.claimJobs("draining", 5, t, LEASE), []);
          assert.deepEqual(await store.finishAndClaim([], { workerId: "draining", limit: 5, now: t, leaseMs: LEASE }), {
            claimed: [],
            refused: [],
          });
          assert.equal((await store.claimJobs("other", 5, t, LEASE)).length, 2);
        }),
      );
    });
  });
}
