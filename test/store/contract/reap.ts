/** Store contract: Recovering runs whose lease expired or whose worker died. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newJob, claimOne, mustGet, type MakeStore, storeCase } from "./harness.js";

export function reapCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("reap", () => {
      it(
        "judges no lease when told not to, but still recovers dead workers' jobs",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("expired", t), newJob("dead", t + 1, { run_at: t })]);
          await claimOne(store, "w1", t, 100);
          await claimOne(store, "w2", t, 100);
          const options = { now: t + 5000, deadWorkerIds: ["w2"], staleBefore: 0, judgeLeases: false };
          const recovered = await store.reap(options);
          assert.deepEqual(recovered, ["dead"]);
          assert.equal((await mustGet(store, "expired")).state, "processing");
        }),
      );

      it(
        "recovers a job whose lease expired as failed and due now, closing its attempt as lost",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("lost", t), newJob("alive", t + 1, { run_at: t })]);
          await claimOne(store, "w1", t, 1000);
          await claimOne(store, "w2", t, 5000);
          assert.deepEqual(
            await store.reap({ now: t + 1000, deadWorkerIds: [], staleBefore: 0 }),
            [],
            "lease not yet expired",
          );
          assert.deepEqual(await store.reap({ now: t + 1500, deadWorkerIds: [], staleBefore: 0 }), ["lost"]);
          const job = await mustGet(store, "lost");
          assert.equal(job.state, "failed");
          assert.equal(job.run_at, t + 1500);
          assert.equal(job.worker_id, null);
          assert.equal(job.lease_until, null);
          assert.equal(job.attempts, 1);
          assert.ok(job.last_error, "says why");
          const [attempt] = await store.listAttempts("lost");
          assert.equal(attempt?.outcome, "lost");
          assert.ok(attempt?.error && attempt.error.length > 0, "the lost attempt says why");
          assert.equal((await mustGet(store, "alive")).state, "processing");
          // Recovered: the next claim runs it again.
          const again = await claimOne(store, "w2", t + 1500);
          assert.equal(again.job.id, "lost");
          assert.equal(again.attempt, 2);
          assert.deepEqual(await store.reap({ now: t + 1600, deadWorkerIds: [], staleBefore: 0 }), [], "nothing twice");
        }),
      );

      it(
        "sends a recovered job that used up its retries to the DLQ",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("killer", t, { max_retries: 1 })]);
          await claimOne(store, "w1", t, 100);
          await store.reap({ now: t + 200, deadWorkerIds: [], staleBefore: 0 });
          assert.equal((await mustGet(store, "killer")).state, "failed", "attempt 1 of 2");
          await claimOne(store, "w1", t + 200, 100);
          assert.deepEqual(await store.reap({ now: t + 400, deadWorkerIds: [], staleBefore: 0 }), ["killer"]);
          const job = await mustGet(store, "killer");
          assert.equal(job.state, "dead");
          assert.equal(job.attempts, 2);
          assert.deepEqual(
            (await store.listAttempts("killer")).map((a) => a.outcome),
            ["lost", "lost"],
          );
        }),
      );

      it(
        "recovers the jobs of dead workers at once and removes dead and stale worker rows",
        withStore(async (store) => {
          const t = Date.now();
          for (const [id, at] of [
            ["dead-w", t],
            ["stale-w", t - 60_000],
            ["live-w", t],
          ] as const) {
            await store.registerWorker({ id, host: "h", pid: 1, slots: 1, started_at: at });
          }
          await store.insertJobs([
            newJob("d1", t),
            newJob("s1", t + 1, { run_at: t }),
            newJob("l1", t + 2, { run_at: t }),
          ]);
          await claimOne(store, "dead-w", t, 60_000);
          await claimOne(store, "stale-w", t, 60_000);
          await claimOne(store, "live-w", t, 60_000);
          const recovered = await store.reap({ now: t + 10, deadWorkerIds: ["dead-w"], staleBefore: t - 30_000 });
          assert.deepEqual(recovered, ["d1"]);
          assert.equal((await mustGet(store, "d1")).state, "failed");
          assert.equal((await store.listAttempts("d1"))[0]?.outcome, "lost");
          assert.equal((await mustGet(store, "s1")).state, "processing", "a stale worker's jobs recover by lease");
          assert.deepEqual(
            (await store.listWorkers()).map((w) => w.id),
            ["live-w"],
          );
        }),
      );
    });
  });
}
