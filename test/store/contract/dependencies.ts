/** Store contract: job dependencies (`after`): blocking, unblocking, refusals and cascades. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blockedReason } from "../../../src/core/dependencies.js";
import { isBlocked } from "../../../src/core/job-state.js";
import type { CancelOrder, Store } from "../../../src/core/store.js";
import { LEASE, claimOne, finished, mustGet, newJob, rejectsWith, type MakeStore, storeCase } from "./harness.js";

const ORDER: CancelOrder = { signal: "SIGTERM", grace_ms: 5000 };

/** Claims the one ready job (it must be `id`) and records its run ending as `state`. */
async function run(store: Store, id: string, now: number, state: "completed" | "dead" | "failed" = "completed") {
  const claimed = await claimOne(store, "w1", now);
  assert.equal(claimed.job.id, id, `the job ready at ${now}`);
  const next = state === "failed" ? { state, run_at: now + 10 } : { state };
  assert.deepEqual(await store.finishRuns([finished(claimed, next)]), []);
}

const nothingReady = async (store: Store, now: number) =>
  assert.deepEqual(await store.claimJobs("w1", 10, now, LEASE), [], "no job is claimable");

export function dependenciesCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("dependencies (after)", () => {
      it(
        "a chain A → B → C runs in order; blocked jobs are never claimable",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("A", t),
            newJob("B", t, { after: ["A"], priority: 10 }),
            newJob("C", t, { after: ["B"], priority: 10 }),
          ]);
          const b = await mustGet(store, "B");
          assert.deepEqual(b.after, ["A"]);
          assert.equal(b.waiting_on, 1);
          assert.equal(b.own_run_at, t, "its own run_at is kept");
          assert.ok(isBlocked(b));
          assert.equal(blockedReason(b), "waiting for 1 job");
          await run(store, "A", t + 1);
          const unblocked = await mustGet(store, "B");
          assert.equal(unblocked.waiting_on, 0);
          assert.equal(unblocked.run_at, t + 51, "due when A finished (after its own run_at)");
          assert.ok(!isBlocked(unblocked));
          assert.ok(isBlocked(await mustGet(store, "C")), "C still waits for B");
          await run(store, "B", t + 100);
          await run(store, "C", t + 200);
          assert.equal((await mustGet(store, "C")).state, "completed");
          assert.equal(await store.nextRunAt(), null);
        }),
      );

      it(
        "a job waiting for several runs once the last completes, not before its own run_at",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("A", t),
            newJob("B", t + 1),
            newJob("C", t, { after: ["A", "B", "A"], run_at: t + 60_000 }),
          ]);
          assert.equal((await mustGet(store, "C")).waiting_on, 2, "each dependency counts once");
          await run(store, "A", t + 1);
          assert.ok(isBlocked(await mustGet(store, "C")));
          await run(store, "B", t + 2);
          const c = await mustGet(store, "C");
          assert.ok(!isBlocked(c));
          assert.equal(c.run_at, t + 60_000, "its own, later run_at holds");
          await nothingReady(store, t + 59_999);
          assert.equal((await claimOne(store, "w1", t + 60_000)).job.id, "C");
        }),
      );

      it(
        "an already completed dependency does not count; links show both directions",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t)]);
          await run(store, "A", t + 1);
          await store.insertJobs([newJob("B", t + 5, { after: ["A"] })]);
          const b = await mustGet(store, "B");
          assert.equal(b.waiting_on, 0);
          assert.equal(b.run_at, t + 5);
          assert.equal((await claimOne(store, "w1", t + 5)).job.id, "B");
          const links = await store.jobLinks("A", 100);
          assert.deepEqual(links.dependencies, []);
          assert.deepEqual(
            links.dependents.map((link) => [link.id, link.state, link.command, link.blocked]),
            [["B", "processing", "echo B", false]],
          );
          assert.equal(links.dependents_total, 1);
          const back = await store.jobLinks("B", 100);
          assert.deepEqual(
            back.dependencies.map((link) => [link.id, link.state]),
            [["A", "completed"]],
          );
          assert.deepEqual((await store.jobLinks("nope", 100)).dependents, []);
        }),
      );

      it(
        "bounds each list of links and gives the total",
        withStore(async (store) => {
          const t = Date.now();
          const many = Array.from({ length: 5 }, (_, i) => newJob(`d${i}`, t, { after: ["A"] }));
          await store.insertJobs([newJob("A", t), ...many]);
          const links = await store.jobLinks("A", 3);
          assert.deepEqual(
            links.dependents.map((link) => [link.id, link.blocked]),
            [
              ["d0", true],
              ["d1", true],
              ["d2", true],
            ],
          );
          assert.equal(links.dependents_total, 5);
        }),
      );

      it(
        "an unknown or cancelled dependency refuses the whole batch, writing nothing",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t), newJob("X", t)]);
          await store.cancelJob("X", ORDER, t);
          await rejectsWith(
            store.insertJobs([newJob("ok", t), newJob("B", t, { after: ["A", "missing"] })]),
            "not_found",
            "unknown job ID missing",
          );
          await rejectsWith(store.insertJobs([newJob("C", t, { after: ["X"] })]), "conflict", "X");
          for (const id of ["ok", "B", "C"]) assert.equal(await store.getJob(id), null, `${id} was not written`);
          assert.deepEqual((await store.jobLinks("A", 10)).dependents, [], "no edge was written");
          assert.equal((await store.countJobs()).pending, 1);
        }),
      );

      it(
        "a dead dependency keeps its dependents blocked (reason names it); retried, it completes and unblocks them",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t, { max_retries: 0 }), newJob("B", t, { after: ["A"] })]);
          await run(store, "A", t + 1, "failed");
          let links = await store.jobLinks("B", 100);
          assert.equal(blockedReason(await mustGet(store, "B"), links.dependencies), "dependency A failed, retrying");
          await run(store, "A", t + 100, "dead");
          links = await store.jobLinks("B", 100);
          const b = await mustGet(store, "B");
          assert.ok(isBlocked(b));
          assert.equal(blockedReason(b, links.dependencies), "dependency A is dead");
          await nothingReady(store, t + 1_000_000);
          await store.retryDead("A", t + 200);
          assert.ok(isBlocked(await mustGet(store, "B")), "still blocked until A completes");
          await run(store, "A", t + 200);
          await run(store, "B", t + 300);
        }),
      );

      it(
        "cancelling a dependency cancels its waiting dependents transitively, naming each cause",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("A", t),
            newJob("B", t, { after: ["A"] }),
            newJob("C", t, { after: ["B"] }),
            newJob("D", t, { after: ["B", "C"] }),
            newJob("free", t),
          ]);
          assert.equal((await store.cancelJob("A", ORDER, t + 5)).done, "cancelled");
          const expected = [
            ["B", "dependency A was cancelled"],
            ["C", "dependency B was cancelled"],
            ["D", "dependency B was cancelled|dependency C was cancelled"],
          ];
          for (const [id, cause] of expected) {
            const job = await mustGet(store, id as string);
            assert.equal(job.state, "cancelled", id);
            assert.ok((cause as string).split("|").includes(job.last_error ?? ""), `${id}: ${job.last_error}`);
            assert.equal(job.finished_at, t + 5);
          }
          assert.equal((await mustGet(store, "free")).state, "pending");
          assert.equal((await claimOne(store, "w1", t + 10)).job.id, "free");
        }),
      );

      it(
        "a running dependency whose run ends cancelled cancels its dependents",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t), newJob("B", t, { after: ["A"] })]);
          const claimed = await claimOne(store, "w1", t);
          assert.equal((await store.cancelJob("A", ORDER, t + 1)).done, "requested");
          assert.equal((await mustGet(store, "B")).state, "pending", "not before A's run has ended");
          await store.finishRuns([finished(claimed, { state: "failed", run_at: t + 10 })]);
          assert.equal((await mustGet(store, "A")).state, "cancelled");
          const b = await mustGet(store, "B");
          assert.equal(b.state, "cancelled");
          assert.equal(b.last_error, "dependency A was cancelled");
        }),
      );

      it(
        "a completed dependency retried by hand is not waited for again: the reason leaves it out",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t, { max_retries: 0 }), newJob("X", t + 50)]);
          await store.insertJobs([newJob("C", t + 60, { after: ["A", "X"] })]);
          await run(store, "A", t + 1);
          // A is run again (it then dies): C already counted it and waits for X alone.
          await store.retryJobs(["A"], t + 10);
          let links = await store.jobLinks("C", 10);
          assert.deepEqual(
            links.dependencies.map((link) => [link.id, link.state, link.satisfied]),
            [
              ["A", "pending", true],
              ["X", "pending", false],
            ],
          );
          const c = await mustGet(store, "C");
          assert.equal(c.waiting_on, 1);
          assert.equal(blockedReason(c, links.dependencies), "waiting for 1 of 2 jobs (X)");
          await run(store, "A", t + 20, "dead");
          links = await store.jobLinks("C", 10);
          assert.equal(blockedReason(c, links.dependencies), "waiting for 1 of 2 jobs (X)", "A's death holds nothing");
          assert.deepEqual(
            (await store.jobLinks("A", 10)).dependents.map((link) => [link.id, link.satisfied]),
            [["C", true]],
          );
          await run(store, "X", t + 100);
          // C became due when X's finish was recorded (the clock's now, not the test's).
          await run(store, "C", Date.now() + 60_000);
        }),
      );

      it(
        "deleting a dependency cancels its dependents transitively; a retried dependent no longer waits for it",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t), newJob("B", t, { after: ["A"] }), newJob("C", t, { after: ["B"] })]);
          const acted = await store.deleteJobs(["A"]);
          assert.deepEqual(
            acted.done.map((job) => job.id),
            ["A"],
          );
          const b = await mustGet(store, "B");
          assert.equal(b.state, "cancelled");
          assert.equal(b.last_error, "dependency A was deleted");
          const c = await mustGet(store, "C");
          assert.equal(c.state, "cancelled");
          assert.equal(c.last_error, "dependency B was cancelled");
          // C waits for B (cancelled): retried, it is blocked again; B (its dependency gone) runs.
          await store.retryJobs(["C", "B"], t + 20);
          assert.ok(isBlocked(await mustGet(store, "C")));
          assert.equal(
            blockedReason(await mustGet(store, "C"), (await store.jobLinks("C", 10)).dependencies),
            "waiting for 1 job (B)",
          );
          await run(store, "B", t + 20);
          await run(store, "C", t + 100);
        }),
      );

      it(
        "pruning a dead dependency by retention counts as deleting it",
        withStore(async (store) => {
          const t = Date.now() - 60_000;
          await store.insertJobs([newJob("A", t), newJob("B", t, { after: ["A"] })]);
          await run(store, "A", t + 1, "dead");
          assert.equal(await store.pruneJobs("dead", Date.now(), 10), 1);
          const b = await mustGet(store, "B");
          assert.equal(b.state, "cancelled");
          assert.equal(b.last_error, "dependency A was deleted");
        }),
      );

      it(
        "replace of a blocked job with its key keeps it blocked, with the new run_at kept aside",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("A", t), newJob("B", t, { after: ["A"], key: "k" })]);
          const [answer] = await store.insertJobs([
            newJob("B2", t, { key: "k", on_conflict: "replace", command: "echo new", run_at: t + 5 }),
          ]);
          assert.deepEqual(answer, { id: "B", existing: true });
          const b = await mustGet(store, "B");
          assert.equal(b.command, "echo new");
          assert.ok(isBlocked(b));
          assert.equal(b.own_run_at, t + 5);
          await run(store, "A", t + 1);
          assert.equal((await mustGet(store, "B")).run_at, t + 51);
          await run(store, "B", t + 100);
        }),
      );

      it(
        "a dependency that completes while the dependent is enqueued from another connection is counted once",
        withStore(async (store, handle) => {
          const t = Date.now();
          const other = await handle.reopen();
          try {
            const deps = Array.from({ length: 20 }, (_, i) => newJob(`a${i}`, t + i));
            await store.insertJobs(deps);
            const claims = await store.claimJobs("w1", 20, t + 100, LEASE);
            assert.equal(claims.length, 20);
            // Each dependent is enqueued while its dependency's run is being recorded.
            await Promise.all(
              claims.map((claimed, i) =>
                Promise.all([
                  store.finishRuns([finished(claimed, { state: "completed" })]),
                  other.insertJobs([newJob(`b${i}`, t, { after: [claimed.job.id] })]),
                ]),
              ),
            );
            for (let i = 0; i < 20; i++) {
              const b = await mustGet(store, `b${i}`);
              assert.equal(b.waiting_on, 0, `b${i} is not left waiting`);
              assert.ok(b.run_at < t + 1_000_000, `b${i} is due`);
            }
          } finally {
            await other.close();
          }
        }),
      );
    });
  });
}
