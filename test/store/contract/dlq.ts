/** Store contract: The dead letter queue: retrying dead jobs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LEASE, newJob, finished, claimOne, mustGet, rejectsWith, type MakeStore, storeCase } from "./harness.js";

export function dlqCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("dead letter queue", () => {
      it(
        "retryDead: dead → pending, attempts reset, due now, error and history kept",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("dlq", t, { max_retries: 0 }), newJob("busy", t + 1, { run_at: t })]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([finished(claimed, { state: "dead" }, { error: "boom" })]);
          const job = await store.retryDead("dlq", t + 5000);
          assert.equal(job.id, "dlq");
          assert.equal(job.state, "pending");
          assert.equal(job.attempts, 0);
          assert.equal(job.run_at, t + 5000);
          assert.equal(job.last_error, "boom");
          assert.deepEqual(await store.getJob("dlq"), job);
          assert.equal((await store.listAttempts("dlq")).length, 1);

          await rejectsWith(store.retryDead("missing", t), "not_found", "missing");
          await rejectsWith(store.retryDead("dlq", t), "conflict", "dlq");
          await claimOne(store, "w1", t + 5000);
          await rejectsWith(store.retryDead("busy", t), "conflict", "busy");
        }),
      );

      it(
        "retryAllDead: every dead job, and only those",
        withStore(async (store) => {
          const t = Date.now();
          assert.equal(await store.retryAllDead(t), 0);
          await store.insertJobs(["r1", "r2", "r3", "r4"].map((id) => newJob(id, t, { max_retries: 0 })));
          const batch = await store.claimJobs("w1", 3, t, LEASE);
          await store.finishRuns([
            finished(batch[0]!, { state: "dead" }),
            finished(batch[1]!, { state: "dead" }),
            finished(batch[2]!, { state: "completed" }),
          ]);
          assert.equal(await store.retryAllDead(t + 10), 2);
          assert.deepEqual(await store.countJobs(), {
            pending: 3,
            processing: 0,
            completed: 1,
            failed: 0,
            dead: 0,
            cancelled: 0,
          });
          const r1 = await mustGet(store, "r1");
          assert.equal(r1.attempts, 0);
          assert.equal(r1.run_at, t + 10);
        }),
      );
    });
  });
}
