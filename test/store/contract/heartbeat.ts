/** Store contract: Heartbeats: lease extension, stop requests, runs no longer held. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LEASE, newJob, claimOne, beat, mustGet, type MakeStore, storeCase } from "./harness.js";

export function heartbeatCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("heartbeat", () => {
      it(
        "extends the leases of this worker's jobs and returns its stop request",
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "w1", host: "h1", pid: 11, slots: 2, started_at: t });
          await store.registerWorker({ id: "w2", host: "h2", pid: 22, slots: 1, started_at: t });
          await store.insertJobs(["h1", "h2", "h3"].map((id) => newJob(id, t)));
          await store.claimJobs("w1", 2, t, 1000);
          await store.claimJobs("w2", 1, t, 1000);
          const held = [
            { job_id: "h1", attempt: 1 },
            { job_id: "h2", attempt: 1 },
          ];
          assert.deepEqual(await beat(store, "w1", t + 500, 4500, held), { stop: null, lost: [], cancel: [] });
          assert.equal((await mustGet(store, "h1")).lease_until, t + 5000, "dated from the clock read in the write");
          assert.equal((await mustGet(store, "h2")).lease_until, t + 5000);
          assert.equal((await mustGet(store, "h3")).lease_until, t + 1000, "other workers' leases untouched");
          const w1 = (await store.listWorkers()).find((w) => w.id === "w1");
          assert.equal(w1?.heartbeat_at, t + 500);
          // Extended leases survive a reap that recovers the others.
          assert.deepEqual(await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 }), ["h3"]);

          assert.equal(await store.requestStop("drain", "w1"), 1);
          assert.equal((await beat(store, "w1", t + 600)).stop, "drain");
          assert.equal((await beat(store, "w2", t + 600)).stop, null, "only the named worker was asked");
          assert.equal(await store.requestStop("now"), 2);
          assert.equal((await beat(store, "w1", t + 700)).stop, "now");
          assert.equal((await beat(store, "w2", t + 700)).stop, "now");
        }),
      );

      it(
        'answers "gone" once the worker row was removed',
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "w1", host: "h", pid: 1, slots: 1, started_at: t });
          assert.equal((await beat(store, "w1", t + 1)).stop, null);
          await store.deregisterWorker("w1");
          assert.equal((await beat(store, "w1", t + 2)).stop, "gone");
          assert.equal((await beat(store, "never-registered", t)).stop, "gone");
          await store.registerWorker({ id: "w2", host: "h", pid: 2, slots: 1, started_at: t });
          await store.reap({ now: t + 100, deadWorkerIds: [], staleBefore: t + 50 });
          assert.equal((await beat(store, "w2", t + 101)).stop, "gone", "a stale worker removed by reap");
        }),
      );

      it(
        "reports held runs the worker no longer holds and extends only those it does",
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "w1", host: "h", pid: 1, slots: 3, started_at: t });
          await store.insertJobs(["f1", "f2", "f3"].map((id, i) => newJob(id, t + i, { run_at: t })));
          const [a, b, c] = await store.claimJobs("w1", 3, t, 1000);
          assert.ok(a && b && c);
          // b is recovered (w1 was paused past its lease) and taken by w2; c's claim answer was lost to w1.
          await store.reap({ now: t + 1, deadWorkerIds: [], staleBefore: 0, judgeLeases: false });
          assert.equal((await mustGet(store, b.job.id)).state, "processing", "leases not judged: nothing recovered");
          await store.insertJobs([newJob("other", t + 10)]);
          const answer = await beat(store, "w1", t + 500, 1000, [
            { job_id: a.job.id, attempt: 1 },
            { job_id: "f9", attempt: 1 },
          ]);
          assert.deepEqual(answer, { stop: null, lost: ["f9"], cancel: [] }, "a job it never held is reported");
          assert.equal(
            (await mustGet(store, c.job.id)).lease_until,
            t + 1000,
            "an unknown run's lease is not extended",
          );
          const reaped = await store.reap({ now: t + 1200, deadWorkerIds: [], staleBefore: 0 });
          assert.deepEqual(reaped, [b.job.id, c.job.id].sort());
          const again = await claimOne(store, "w2", t + 1200);
          assert.equal(again.job.id, b.job.id);
          const lost = await beat(store, "w1", t + 1300, 1000, [
            { job_id: a.job.id, attempt: 1 },
            { job_id: b.job.id, attempt: 1 },
          ]);
          assert.deepEqual(lost, { stop: null, lost: [b.job.id], cancel: [] });
          assert.equal(
            (await mustGet(store, b.job.id)).lease_until,
            t + 1200 + LEASE,
            "the new owner's lease untouched",
          );
          assert.equal((await mustGet(store, a.job.id)).lease_until, t + 2300);
        }),
      );
    });
  });
}
