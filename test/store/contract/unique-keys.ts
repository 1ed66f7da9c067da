/** Store contract: unique keys (on_conflict skip | replace | error), no_retry_exit_codes, on-dead hook jobs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewJob } from "../../../src/core/types.js";
import { claimOne, finished, mustGet, newJob, rejectsWith, type MakeStore, storeCase } from "./harness.js";

/** A hook job as core/on-dead.ts makes one (its key names the dead job). */
const hookFor = (deadId: string, at: number): NewJob =>
  newJob(`hook-${deadId}`, at, { command: "true", key: `queuectl:on-dead:${deadId}` });

export function uniqueKeyCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("unique keys", () => {
      it(
        "stores the key and the exit codes, and reads them back everywhere",
        withStore(async (store) => {
          const t = Date.now();
          const inserted = await store.insertJobs([
            newJob("k1", t, { key: "report:42", no_retry_exit_codes: [2, 64] }),
            newJob("plain", t + 1),
          ]);
          assert.deepEqual(inserted, [
            { id: "k1", existing: false },
            { id: "plain", existing: false },
          ]);
          const job = await mustGet(store, "k1");
          assert.equal(job.key, "report:42");
          assert.deepEqual(job.no_retry_exit_codes, [2, 64]);
          const plain = await mustGet(store, "plain");
          assert.equal(plain.key, null);
          assert.deepEqual(plain.no_retry_exit_codes, []);
          const listed = (await store.listJobs({ limit: 10 })).jobs.find((j) => j.id === "k1");
          assert.deepEqual(listed?.no_retry_exit_codes, [2, 64]);
          const claimed = await claimOne(store, "w1", t + 5);
          assert.equal(claimed.job.id, "k1");
          assert.deepEqual(claimed.job.no_retry_exit_codes, [2, 64]);
          assert.equal(claimed.job.key, "report:42");
        }),
      );

      it(
        "skip (the default): a held key answers the active job and adds nothing",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("first", t, { key: "k" })]);
          const again = await store.insertJobs([newJob("second", t + 1, { key: "k", command: "other" })]);
          assert.deepEqual(again, [{ id: "first", existing: true }]);
          assert.equal(await store.getJob("second"), null);
          assert.equal((await mustGet(store, "first")).command, "echo first", "the holder is unchanged");
          assert.equal((await store.countJobs()).pending, 1);
        }),
      );

      it(
        "a key is held while pending, processing and failed awaiting a retry, and freed by completed and dead",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("a", t, { key: "k" })]);
          const run = await claimOne(store, "w1", t);
          assert.deepEqual(await store.insertJobs([newJob("b", t, { key: "k" })]), [{ id: "a", existing: true }]);
          await store.finishRuns([finished(run, { state: "failed", run_at: t + 60_000 })]);
          assert.deepEqual(await store.insertJobs([newJob("c", t, { key: "k" })]), [{ id: "a", existing: true }]);
          // Due again: claim it, let it go dead.
          const rerun = await claimOne(store, "w1", t + 60_000);
          await store.finishRuns([finished(rerun, { state: "dead" })]);
          assert.deepEqual(await store.insertJobs([newJob("d", t + 2, { key: "k" })]), [{ id: "d", existing: false }]);
          const done = await claimOne(store, "w1", t + 60_001);
          await store.finishRuns([finished(done, { state: "completed" })]);
          assert.deepEqual(await store.insertJobs([newJob("e", t + 3, { key: "k" })]), [{ id: "e", existing: false }]);
          assert.equal((await mustGet(store, "a")).key, "k", "a finished job keeps its key (it holds it no more)");
        }),
      );

      it(
        "replace: a job that has not started takes the new fields and starts over",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("r", t, { key: "deb", priority: 2, max_retries: 1 })]);
          const answer = await store.insertJobs([
            newJob("r2", t + 5, {
              key: "deb",
              on_conflict: "replace",
              command: "echo last",
              priority: 9,
              max_retries: 4,
              timeout: 7,
              run_at: t + 30_000,
              no_retry_exit_codes: [3],
            }),
          ]);
          assert.deepEqual(answer, [{ id: "r", existing: true }]);
          assert.equal(await store.getJob("r2"), null);
          const job = await mustGet(store, "r");
          assert.equal(job.command, "echo last");
          assert.equal(job.priority, 9);
          assert.equal(job.max_retries, 4);
          assert.equal(job.timeout, 7);
          assert.equal(job.run_at, t + 30_000);
          assert.deepEqual(job.no_retry_exit_codes, [3]);
          assert.equal(job.state, "pending");
          assert.equal(job.created_at, t, "still the job first enqueued");
        }),
      );

      it(
        "replace of a job awaiting its retry: pending again with its attempts reset",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("f", t, { key: "k" })]);
          await store.finishRuns([finished(await claimOne(store, "w1", t), { state: "failed", run_at: t + 60_000 })]);
          await store.insertJobs([newJob("g", t + 1, { key: "k", on_conflict: "replace", command: "echo new" })]);
          const job = await mustGet(store, "f");
          assert.equal(job.state, "pending");
          assert.equal(job.attempts, 0);
          assert.equal(job.command, "echo new");
        }),
      );

      it(
        "replace of a running job: it keeps running without its key or retries; the new job is added",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("run", t, { key: "k", max_retries: 5 })]);
          const run = await claimOne(store, "w1", t);
          const answer = await store.insertJobs([newJob("next", t + 1, { key: "k", on_conflict: "replace" })]);
          assert.deepEqual(answer, [{ id: "next", existing: false }]);
          const old = await mustGet(store, "run");
          assert.equal(old.state, "processing");
          assert.equal(old.key, null);
          assert.equal(old.max_retries, 0, "no retry of the superseded version");
          assert.equal((await mustGet(store, "next")).key, "k");
          // The superseded run still finishes normally (fencing is untouched).
          assert.deepEqual(await store.finishRuns([finished(run, { state: "completed" })]), []);
        }),
      );

      it(
        "error: a held key refuses with conflict naming it, and nothing of the batch is written",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("holder", t, { key: "only-one" })]);
          await rejectsWith(
            store.insertJobs([newJob("x1", t), newJob("x2", t, { key: "only-one", on_conflict: "error" })]),
            "conflict",
            "only-one",
          );
          assert.equal(await store.getJob("x1"), null);
          assert.equal(await store.getJob("x2"), null);
          assert.equal((await store.countJobs()).pending, 1);
        }),
      );

      it(
        "a duplicate id is still refused when the job has a key",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("same", t)]);
          await rejectsWith(store.insertJobs([newJob("same", t, { key: "fresh" })]), "conflict", "same");
          assert.equal((await mustGet(store, "same")).key, null);
        }),
      );

      it(
        "concurrent inserts of one key from separate connections make one job",
        withStore(async (store, handle) => {
          const others = await Promise.all(Array.from({ length: 4 }, () => handle.reopen()));
          try {
            const t = Date.now();
            const answers = await Promise.all(
              [store, ...others].map((s, i) => s.insertJobs([newJob(`racer-${i}`, t, { key: "race" })])),
            );
            const ids = new Set(answers.map(([a]) => a!.id));
            assert.equal(ids.size, 1, `every insert answers the same job: ${[...ids].join(", ")}`);
            assert.equal(answers.filter(([a]) => !a!.existing).length, 1, "exactly one added it");
            assert.equal((await store.countJobs()).pending, 1);
          } finally {
            for (const other of others) await other.close();
          }
        }),
      );
    });

    describe("unique keys and the DLQ", () => {
      it(
        "a dead job whose key is held again stays dead: retryDead refuses naming the key, retryAllDead skips it",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("old", t, { key: "k", max_retries: 0 }),
            newJob("twin", t + 1, { key: "k2", max_retries: 0 }),
            newJob("free", t + 2, { key: "k3", max_retries: 0 }),
          ]);
          for (let i = 0; i < 3; i++) {
            await store.finishRuns([finished(await claimOne(store, "w1", t + 10), { state: "dead" })]);
          }
          await store.insertJobs([newJob("twin2", t + 20, { key: "k2", max_retries: 0 })]);
          await store.finishRuns([finished(await claimOne(store, "w1", t + 20), { state: "dead" })]);
          await store.insertJobs([newJob("new", t + 30, { key: "k" })]);
          await rejectsWith(store.retryDead("old", t + 40), "conflict", '"k"');
          assert.equal((await mustGet(store, "old")).state, "dead");
          // k is held by "new"; of the two dead k2 jobs one comes back; k3 is free.
          assert.equal(await store.retryAllDead(t + 50), 2);
          assert.equal((await mustGet(store, "old")).state, "dead");
          assert.equal((await mustGet(store, "free")).state, "pending");
          const twins = [await mustGet(store, "twin"), await mustGet(store, "twin2")].map((j) => j.state).sort();
          assert.deepEqual(twins, ["dead", "pending"]);
        }),
      );
    });

    describe("on-dead hook jobs", () => {
      it(
        "finishRuns inserts a dead run's hook job with it, and none for a refused run",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("doomed", t, { max_retries: 0 }), newJob("stolen", t + 1, { run_at: t })]);
          const run = await claimOne(store, "w1", t);
          const other = await claimOne(store, "w1", t);
          // "stolen" was recovered meanwhile: its result (and hook) is refused.
          await store.reap({ now: t + 60_000, deadWorkerIds: ["w1"], staleBefore: 0 });
          const stolenAgain = await claimOne(store, "w2", t + 60_000);
          assert.equal(stolenAgain.job.id, "stolen", "only the job with retries left comes back");
          const refused = await store.finishRuns([
            { ...finished(run, { state: "dead" }), hook: hookFor("doomed", t + 10) },
            { ...finished(other, { state: "dead" }), hook: hookFor("stolen", t + 10) },
          ]);
          assert.deepEqual(refused.sort(), ["doomed", "stolen"], "both were recovered by the reap");
          assert.equal(await store.getJob("hook-doomed"), null);
          assert.equal(await store.getJob("hook-stolen"), null);

          await store.finishRuns([{ ...finished(stolenAgain, { state: "dead" }), hook: hookFor("stolen", t + 20) }]);
          const hook = await mustGet(store, "hook-stolen");
          assert.equal(hook.state, "pending");
          assert.equal(hook.key, "queuectl:on-dead:stolen");
          assert.equal((await mustGet(store, "stolen")).state, "dead");
        }),
      );

      it(
        "finishAndClaim inserts the hook too, and the claim can take it",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("dies", t, { max_retries: 0 })]);
          const run = await claimOne(store, "w1", t);
          const result = await store.finishAndClaim(
            [{ ...finished(run, { state: "dead" }), hook: hookFor("dies", t + 1) }],
            { workerId: "w1", limit: 2, now: t + 100, leaseMs: 10_000 },
          );
          assert.deepEqual(result.refused, []);
          assert.deepEqual(
            result.claimed.map((c) => c.job.id),
            ["hook-dies"],
          );
        }),
      );

      it(
        "reap asks for the hook of each job it sends to dead, and inserts it",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("gone", t, { max_retries: 0 }), newJob("again", t + 1, { run_at: t })]);
          await claimOne(store, "w1", t);
          await claimOne(store, "w1", t);
          const asked: string[] = [];
          const recovered = await store.reap({
            now: t + 1000,
            deadWorkerIds: ["w1"],
            staleBefore: 0,
            deadHook: (dead) => {
              asked.push(dead.id);
              assert.equal(dead.command, "echo gone");
              assert.match(dead.error ?? "", /lost/);
              return hookFor(dead.id, t + 1000);
            },
          });
          assert.deepEqual(recovered, ["again", "gone"]);
          assert.deepEqual(asked, ["gone"], "only the job that goes dead has a hook");
          assert.equal((await mustGet(store, "gone")).state, "dead");
          assert.equal((await mustGet(store, "hook-gone")).state, "pending");
          assert.equal(await store.getJob("hook-again"), null);
        }),
      );
    });
  });
}
