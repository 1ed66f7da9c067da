/** Store contract: deleting and retrying chosen jobs, each id on its own. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Store } from "../../../src/core/store.js";
import { LEASE, claimOne, finished, mustGet, newJob, output, storeCase, type MakeStore } from "./harness.js";

/** Inserts `ids` and runs each once: the first completes, the second ends dead, the rest fail (retry due later). */
async function runEach(store: Store, t: number, ids: string[]): Promise<void> {
  await store.insertJobs(ids.map((id, i) => newJob(id, t + i, { max_retries: i === 1 ? 0 : 3 })));
  for (const [i] of ids.entries()) {
    const claimed = await claimOne(store, "w1", t + 100);
    const next = i === 0 ? { state: "completed" as const } : i === 1 ? { state: "dead" as const } : null;
    await store.finishRuns([finished(claimed, next ?? { state: "failed", run_at: t + 60_000 })]);
  }
}

export function deleteRetryCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("delete and retry chosen jobs", () => {
      it(
        "deleteJobs: removes jobs in any state but processing, with attempts and output; counters kept",
        withStore(async (store) => {
          const t = Date.now();
          await runEach(store, t, ["done", "dlq", "failing"]);
          await store.insertJobs([newJob("waiting", t + 10), newJob("kept", t + 11)]);
          const totals = await store.runTotals();

          const result = await store.deleteJobs(["failing", "done", "waiting", "dlq"]);
          assert.deepEqual(result.refused, []);
          assert.deepEqual(
            result.done.map((job) => [job.id, job.state]),
            [
              ["failing", "failed"],
              ["done", "completed"],
              ["waiting", "pending"],
              ["dlq", "dead"],
            ],
          );
          for (const id of ["done", "dlq", "failing", "waiting"]) {
            assert.equal(await store.getJob(id), null, id);
            assert.deepEqual(await store.listAttempts(id), [], id);
            assert.equal(await store.getOutput(id, 1, "stdout"), null, id);
          }
          assert.deepEqual(await store.countJobs(), {
            pending: 1,
            processing: 0,
            completed: 0,
            failed: 0,
            dead: 0,
            cancelled: 0,
          });
          // Counters count what happened: deleting history takes nothing back.
          assert.deepEqual(await store.runTotals(), totals);
          assert.equal((await mustGet(store, "kept")).state, "pending");
          // The id is free again.
          await store.insertJobs([newJob("done", t + 20)]);
          assert.deepEqual(await store.listAttempts("done"), []);
        }),
      );

      it(
        "deleteJobs: a running job and an unknown id are refused, each id on its own",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("busy", t), newJob("idle", t + 1)]);
          const claimed = await claimOne(store, "w1", t);
          await store.writeOutput("busy", claimed.attempt, "w1", "stdout", output("so far"));

          const result = await store.deleteJobs(["busy", "ghost", "idle"]);
          assert.deepEqual(
            result.done.map((job) => job.id),
            ["idle"],
          );
          assert.deepEqual(result.refused, [
            { id: "busy", code: "conflict", error: "job busy is running: cancel it first" },
            { id: "ghost", code: "not_found", error: "no job ghost" },
          ]);
          // The running job is whole: it can finish and keeps its run.
          assert.equal((await mustGet(store, "busy")).state, "processing");
          assert.equal((await store.getOutput("busy", claimed.attempt, "stdout"))?.data.toString(), "so far");
          assert.deepEqual(await store.finishRuns([finished(claimed, { state: "completed" })]), []);
          assert.equal((await store.deleteJobs(["busy"])).done.length, 1);
        }),
      );

      it(
        "retryJobs: completed and dead → pending, attempts 0, due now; history kept, numbers go on",
        withStore(async (store) => {
          const t = Date.now();
          await runEach(store, t, ["done", "dlq"]);
          const retried = await store.retryJobs(["dlq", "done"], t + 5000);
          assert.deepEqual(retried.refused, []);
          assert.deepEqual(
            retried.done.map((job) => job.id),
            ["dlq", "done"],
          );
          for (const job of retried.done) {
            assert.equal(job.state, "pending");
            assert.equal(job.attempts, 0);
            assert.equal(job.run_at, t + 5000);
            assert.equal(job.updated_at, t + 5000);
            assert.deepEqual(await store.getJob(job.id), job);
            assert.equal((await store.listAttempts(job.id)).length, 1);
          }
          assert.equal((await mustGet(store, "dlq")).last_error, "exit code 1");
          assert.deepEqual(await store.countJobs(), {
            pending: 2,
            processing: 0,
            completed: 0,
            failed: 0,
            dead: 0,
            cancelled: 0,
          });
          const again = await claimOne(store, "w1", t + 5000);
          assert.equal(again.attempt, 2);
          assert.equal(again.job.attempts, 1);
        }),
      );

      it(
        "retryJobs: pending, failed, running and unknown jobs are refused, saying why",
        withStore(async (store) => {
          const t = Date.now();
          await runEach(store, t, ["done", "dlq", "failing"]);
          await store.insertJobs([newJob("waiting", t + 10), newJob("busy", t + 11, { priority: 9 })]);
          await claimOne(store, "w1", t + 100);
          const before = await store.getJob("waiting");

          const result = await store.retryJobs(["waiting", "failing", "busy", "ghost", "done"], t + 200);
          assert.deepEqual(
            result.done.map((job) => job.id),
            ["done"],
          );
          assert.deepEqual(result.refused, [
            { id: "waiting", code: "conflict", error: "job waiting is pending: it will run anyway" },
            { id: "failing", code: "conflict", error: "job failing is failed: its retry is already scheduled" },
            { id: "busy", code: "conflict", error: "job busy is running: retry it once it has finished" },
            { id: "ghost", code: "not_found", error: "no job ghost" },
          ]);
          assert.deepEqual(await store.getJob("waiting"), before);
          assert.equal((await mustGet(store, "busy")).state, "processing");
        }),
      );

      it(
        "deleteJobs racing claims from another connection: each job is run or gone, never half",
        withStore(async (store, handle) => {
          const t = Date.now();
          const ids = Array.from({ length: 200 }, (_, i) => `race-${String(i).padStart(3, "0")}`);
          await store.insertJobs(ids.map((id, i) => newJob(id, t + i, { run_at: t })));
          const other = await handle.reopen();
          try {
            const claimed: string[] = [];
            const finishRefused: string[] = [];
            const claiming = (async () => {
              for (;;) {
                const batch = await other.claimJobs("w2", 3, t + 1000, LEASE);
                if (batch.length === 0) return;
                claimed.push(...batch.map((c) => c.job.id));
                // The run takes a round trip, while the deletes go on.
                await other.getJob(batch[0]!.job.id);
                finishRefused.push(...(await other.finishRuns(batch.map((c) => finished(c, { state: "completed" })))));
              }
            })();
            const deleted: string[] = [];
            const refused: string[] = [];
            for (let i = 0; i < ids.length; i += 10) {
              const result = await store.deleteJobs(ids.slice(i, i + 10));
              deleted.push(...result.done.map((job) => job.id));
              refused.push(...result.refused.map((r) => r.id));
            }
            await claiming;
            // A held run is never deleted under its worker: its result is always recorded.
            assert.deepEqual(finishRefused, []);
            const claimedSet = new Set(claimed);
            for (const id of ids) {
              const job = await store.getJob(id);
              const attempts = await store.listAttempts(id);
              if (job === null) {
                assert.ok(deleted.includes(id), `${id} gone only by the delete`);
                assert.deepEqual(attempts, [], `${id}: nothing left of a deleted job`);
              } else {
                assert.ok(claimedSet.has(id) && !deleted.includes(id), `${id} ran and was not deleted`);
                assert.equal(job.state, "completed");
                assert.deepEqual(
                  attempts.map((a) => a.outcome),
                  ["completed"],
                );
              }
            }
            // A claimed job that the delete still found finished is gone with its run; one it found running was refused.
            for (const id of refused) assert.ok(claimedSet.has(id), `${id} refused only while running`);
            assert.ok(deleted.length > 0, "the delete removed some jobs");
          } finally {
            await other.close();
          }
        }),
      );
    });
  });
}
